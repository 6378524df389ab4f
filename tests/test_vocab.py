import re
from importlib.resources import files

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.cleaner.language import detect_language, page_language, primary_subtag
from scraper.cleaner.linefilter import CHROME_LINES, chrome_free, is_chrome_line
from scraper.cleaner.vocab import (
    VOCABULARY_LANGUAGES,
    chrome_lines,
    chrome_patterns,
    chrome_vocabulary,
)

WORD = re.compile(r"\w+")

GERMAN = (
    "Der Stadtrat hat am Dienstag beschlossen, dass die neue Brücke über den Fluss erst im "
    "nächsten Jahr gebaut wird. Die Kosten sind nach Angaben der Verwaltung deutlich "
    "gestiegen, und die Firma, die den Auftrag bekommen hatte, konnte den Termin nicht "
    "halten. Viele Anwohner sind darüber enttäuscht, weil sie seit Jahren auf eine bessere "
    "Verbindung zur Innenstadt warten. Der Bürgermeister sagte, man werde die Bürger bald "
    "über den weiteren Plan informieren."
)
FRENCH = (
    "Le conseil municipal a décidé mardi que le nouveau pont sur la rivière ne sera construit "
    "que l'année prochaine. Selon la mairie, les coûts ont beaucoup augmenté et l'entreprise "
    "qui avait obtenu le contrat n'a pas pu tenir les délais. De nombreux habitants sont "
    "déçus, car ils attendent depuis des années une meilleure liaison avec le centre-ville."
)
ENGLISH = (
    "The city council decided on Tuesday that the new bridge over the river will not be built "
    "until next year. According to the administration, the costs have risen sharply, and the "
    "company that won the contract could not keep to the schedule. Many residents are "
    "disappointed, because they have been waiting for years for a better link to the centre."
)
POLISH = (
    "Rada miasta postanowiła we wtorek, że nowy most na rzece zostanie zbudowany dopiero w "
    "przyszłym roku. Według urzędu koszty znacznie wzrosły, a firma, która otrzymała "
    "zamówienie, nie dotrzymała terminu. Wielu mieszkańców jest rozczarowanych, ponieważ od "
    "lat czekają na lepsze połączenie z centrum miasta."
)
JAPANESE = (
    "市議会は火曜日、川に架かる新しい橋の建設を来年に延期することを決めました。"
    "費用が大きく増えたためです。"
)
CHINESE = (
    "市议会周二决定，河上的新桥要到明年才能建成。据政府说，费用大幅上涨，承包公司未能按期完工。"
)
KOREAN = (
    "시의회는 화요일에 강을 가로지르는 새 다리를 내년에야 짓기로 결정했습니다. "
    "비용이 크게 늘었기 때문입니다."
)
RUSSIAN = (
    "Городской совет во вторник решил, что новый мост через реку построят только в "
    "следующем году."
)


def tokenised(line: str) -> str:
    return " ".join(WORD.findall(line.casefold()))


def kept(paragraphs: list[str], language: str | None) -> list[str]:
    return [paragraphs[i] for i in chrome_free(paragraphs, language=language)]


# --- the data files


def test_every_language_has_a_file_and_every_file_a_language() -> None:
    shipped = {
        path.name.removesuffix(".txt")
        for path in files("scraper.cleaner.vocab").iterdir()
        if path.name.endswith(".txt")
    }
    assert shipped == VOCABULARY_LANGUAGES
    assert {"en", "de", "fr", "es", "it", "pt", "nl", "ru", "ja", "zh", "ko"} <= shipped


@pytest.mark.parametrize("language", sorted(VOCABULARY_LANGUAGES))
def test_vocabulary_file_is_casefolded_tokenised_and_without_repeats(language: str) -> None:
    text = files("scraper.cleaner.vocab").joinpath(f"{language}.txt").read_text("utf-8")
    labels = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(labels) >= 50, language
    for label in labels:
        assert label == tokenised(label), f"{language}.txt: {label!r}"
    assert len(labels) == len(set(labels)), language
    assert chrome_lines(language) == frozenset(labels)


def test_english_vocabulary_is_the_chrome_lines_and_part_of_every_other() -> None:
    assert CHROME_LINES == chrome_lines("en") == chrome_vocabulary(None)
    assert {"share", "read more", "add to cart", "loading"} <= CHROME_LINES
    for language in VOCABULARY_LANGUAGES:
        assert chrome_vocabulary(language) == CHROME_LINES | chrome_lines(language)


def test_a_cjk_label_is_one_word() -> None:
    for label in ("シェア", "続きを読む", "分享", "阅读更多", "공유", "로그인"):
        assert WORD.findall(label) == [label]
    assert {"シェア", "ログイン", "続きを読む"} <= chrome_lines("ja")
    assert {"分享", "登录", "阅读更多"} <= chrome_lines("zh")
    assert {"공유", "로그인", "더 보기"} <= chrome_lines("ko")


def test_unknown_language_is_english_alone() -> None:
    assert chrome_vocabulary("ar") == CHROME_LINES
    assert chrome_vocabulary("") == CHROME_LINES
    assert chrome_vocabulary("de-AT") == chrome_vocabulary("DE")
    with pytest.raises(ValueError, match="'ar'"):
        chrome_lines("ar")


# --- lines dropped by the page's language


def test_german_chrome_goes_on_a_german_page_only() -> None:
    for line in ("Teilen", "Zurück nach oben ↑", "In den Warenkorb", "Schließen", "Anzeige"):
        assert is_chrome_line(line, "de"), line
        assert is_chrome_line(line, "de-AT"), line
        assert not is_chrome_line(line), line
        assert not is_chrome_line(line, "fr"), line
    # English labels are chrome on a German page too; German prose is not
    assert is_chrome_line("Share", "de")
    assert not is_chrome_line("Teilen Sie den Artikel, wenn er Ihnen gefallen hat.", "de")


def test_chrome_free_drops_a_language_s_lines_in_the_middle_of_the_text() -> None:
    paragraphs = [GERMAN, "Artikel teilen\nWeiterlesen", FRENCH, "Partager\nLire la suite", ENGLISH]
    assert kept(paragraphs, "de") == [GERMAN, FRENCH, "Partager\nLire la suite", ENGLISH]
    assert kept(paragraphs, "fr") == [GERMAN, "Artikel teilen\nWeiterlesen", FRENCH, ENGLISH]
    assert kept(paragraphs, None) == paragraphs


def test_japanese_chrome_goes_on_a_japanese_page() -> None:
    paragraphs = [JAPANESE, "シェア\nツイート", "続きを読む", "それでも工事は続きます。"]
    assert kept(paragraphs, "ja") == [paragraphs[0], paragraphs[3]]
    assert kept(paragraphs, None) == paragraphs
    assert not is_chrome_line("シェアハウスの家賃が上がった。", "ja")


def test_a_label_of_one_language_is_a_word_of_another() -> None:
    # Dutch "Laden" (loading) is a German shop; "PR" alone is an advert marker in Japanese
    assert is_chrome_line("Laden…", "nl") and not is_chrome_line("Laden", "de")
    assert is_chrome_line("PR", "ja") and not is_chrome_line("PR")


# --- the page's language


def page(head: str = "", body: str = "", html_attrs: str = "") -> LexborHTMLParser:
    return LexborHTMLParser(f"<html{html_attrs}><head>{head}</head><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("de-AT", "de"),
        ("en_US", "en"),
        ("FR", "fr"),
        ("zh-Hant-TW", "zh"),
        ("fr, en", "fr"),
        ("jp", "ja"),
        ("x-default", None),
        ("mul", None),
        ("", None),
        (None, None),
    ],
)
def test_primary_subtag(value: str | None, code: str | None) -> None:
    assert primary_subtag(value) == code


def test_declared_language_order() -> None:
    meta = '<meta http-equiv="Content-Language" content="fr-FR">'
    prose = f"<p>{ENGLISH}</p>"
    assert page_language(page(meta, prose, ' lang="de-DE"'), declared="es") == "de"
    assert page_language(page(meta, prose, ' xml:lang="nl"')) == "nl"
    assert page_language(page(meta, prose, ' lang=""'), declared="es") == "fr"
    assert page_language(page("", prose, ' lang="x-default"'), declared="es-ES") == "es"
    assert page_language(page("", prose)) == "en"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (JAPANESE, "ja"),
        (CHINESE, "zh"),
        (KOREAN, "ko"),
        (RUSSIAN, "ru"),
        (GERMAN, "de"),
        (FRENCH, "fr"),
        (ENGLISH, "en"),
    ],
)
def test_detected_from_the_text(text: str, code: str) -> None:
    menu = "<ul><li>Home</li><li>News</li><li>Login</li></ul>"
    assert page_language(page(body=f"{menu}<p>{text}</p>")) == code
    assert detect_language(text) == code


def test_detection_reads_the_body_without_paragraphs_but_not_its_scripts() -> None:
    script = "<script>var the = 'of'; for (the in and) { if (is) return the; }</script>" * 20
    body = f"{script}<div>{GERMAN}</div><div><span>{GERMAN}</span></div>"
    assert page_language(page(body=body)) == "de"


def test_no_guess_without_evidence() -> None:
    assert page_language(page(body="<p>Bananas 2 kg, 3.99 €</p>")) is None
    assert page_language(page()) is None
    assert detect_language(POLISH) is None  # not one of the languages told apart
    assert detect_language("") is None


# --- the pattern files


@pytest.mark.parametrize("language", sorted(VOCABULARY_LANGUAGES))
def test_every_pattern_file_reads_and_its_patterns_match_no_prose(language: str) -> None:
    patterns = chrome_patterns(language)  # raises on a line that is not "kind: expression"
    assert files("scraper.cleaner.vocab").joinpath(f"{language}.patterns").is_file()
    for prose in (GERMAN, FRENCH, ENGLISH, POLISH, JAPANESE, CHINESE, KOREAN, RUSSIAN):
        for sentence in prose.split(". "):
            assert not is_chrome_line(sentence, language), (language, sentence)
    assert patterns.line.pattern.startswith("^(?:")


@pytest.mark.parametrize(
    ("line", "language"),
    [
        ("Lesen Sie auch: Der Stadtrat vertagt den Bau der Brücke", "de"),
        ("» Mehr zum Thema: Brückenbau in der Innenstadt", "de"),
        ("12 Kommentare", "de"),
        ("© 2024 Beispiel Verlag. Alle Rechte vorbehalten.", "de"),
        ("À lire aussi : Le conseil municipal reporte la construction du pont", "fr"),
        ("Lea también: El concejo aplaza la construcción del puente", "es"),
        ("Leia também: Câmara adia a construção da ponte", "pt"),
        ("Читайте также: Горсовет отложил строительство моста", "ru"),
        ("Czytaj też: Rada miasta odkłada budowę mostu", "pl"),
        ("Udostępnij", "pl"),
        ("関連記事：市議会が橋の建設を延期", "ja"),
        ("Read more: The council delays the bridge", "en"),
        ("Read more: The council delays the bridge", "de"),  # English labels on every page
        ("You are not logged in.", "en"),
        ("Already have an account? Log in", "en"),
        ("You need to be a member in order to leave a comment", "en"),
        ("This article is exclusive to STAT+ subscribers", "en"),
        ("Join Date: Aug 2008", "en"),
        ("Posts: 1,077", "en"),
        ("$130 Add to cart", "en"),
        ("Regular price $99.99", "en"),
        ("Free Shipping on Domestic Orders $75+", "en"),
        ("Page 1 of 8", "en"),
        ("Jump to navigationJump to search", "en"),
        ("Save 25%", "en"),
        ("People who viewed this item also viewed", "en"),
        ("Subscribe to get access", "en"),
        ("By using the app, you agree to its license and privacy statement.", "en"),
        ("Want more? Sign up for our newsletter, The Selection, for product picks.", "en"),
        ("Vous n'êtes pas connecté.", "fr"),
        ("Haben Sie bereits ein Konto?", "de"),
        ("Already a member? Sign in", "en"),
        ("You must be logged in to post a comment.", "en"),
        ("Déjà membre ? Connectez-vous", "fr"),
        ("¿Ya tienes cuenta?", "es"),
        ("请先登录", "zh"),
        ("Gefällt mir Wird geladen...", "de"),
        ("Foto: dpa", "de"),
        ("Image credit: Reuters", "en"),
        ("Crédit photo : AFP", "fr"),
        ("Like Loading...", "en"),
        ("Kategorie: News", "de"),
        ("Tags: Python, Mercurial", "en"),
        ("Étiquettes : politique, université", "fr"),
        ("Vervielfältigung nur mit Genehmigung", "de"),
        ("Um den Beitrag kommentieren zu können, müssen Sie eingeloggt sein.", "de"),
        ("Verfasst von: mitundvoneinander | 31. Dezember 2008", "de"),
        ("Never miss the latest news by signing up to our newsletter today!", "en"),
        ("Materiał chroniony prawem autorskim - zasady przedruków określa regulamin.", "pl"),
        ("By clicking Sign Me Up, you confirm you are 16+ and agree to our Terms of Use.", "en"),
        ("Apply Now", "en"),
        ("Schedule a demo", "en"),
        ("Try it for free", "en"),
        ("Load more", "en"),
        ("Free 14-day trial. No credit card required.", "en"),
        ("Table of Content", "en"),
        ("Type to search products", "en"),
        ("What are you looking for?", "en"),
    ],
)
def test_language_patterns_catch_read_also_lines_counts_and_notices(
    line: str, language: str
) -> None:
    assert is_chrome_line(line, language)


@pytest.mark.parametrize(
    "line",
    [
        "Free international shipping",  # an item's own terms, not the shop's banner
        "The regular price is too high for most buyers.",
        "I like this.",
        "Contents of the box",
        "You are not alone in this.",
        "Members who joined in 2008 still post every week.",
        "Customers who bought this item in March were refunded, the company said.",
        "By using the app for a week, I learned how little I needed it.",
        "By clicking the link, readers agreed with the editors more often than not.",
        "Apply now, the minister told graduates, or lose the grant.",
        "Try it for free for a month and you will see the difference, she said.",
        "Let's get started.",  # a tutorial's own sentence
        "Search engines",  # a heading, not a search box
        "What are you looking for in a used car?",
        "Save the date: the festival returns in June.",
        "Category 5 hurricanes are rare on this coast.",
        "Tagged animals were tracked for three years.",
        "Photographs of the bridge were taken in 1931.",
    ],
)
def test_lines_that_only_resemble_shop_account_or_forum_chrome_stay(line: str) -> None:
    assert not is_chrome_line(line, "en")


@pytest.mark.parametrize(
    ("line", "language"),
    [
        ("Already a member of the Senate since 2010, she ran for governor.", "en"),
        ("You must register to vote by Friday, officials said.", "en"),
        ("Only available to members of the armed forces, the discount ends in May.", "en"),
        ("You must be a member of the EU to join the scheme.", "en"),
        ("Déjà membre de l'UE, la Croatie a rejoint la zone euro en 2023.", "fr"),
        ("Vous devez être inscrit sur les listes électorales avant le 1er mars.", "fr"),
        ("Sie müssen registriert sein, um wählen zu können.", "de"),
        ("Debes estar registrado para votar en las elecciones.", "es"),
        ("Joined by thousands", "en"),
        ("Powered by wind", "en"),
        ("Inscription des candidats", "fr"),
        ("Registrado como patrimonio", "es"),
    ],
)
def test_news_sentences_about_members_and_registering_are_not_account_prompts(
    line: str, language: str
) -> None:
    assert not is_chrome_line(line, language)


def test_a_language_s_patterns_apply_on_its_pages_only() -> None:
    line = "Lesen Sie auch: Der Stadtrat vertagt den Bau der Brücke"
    assert is_chrome_line(line, "de") and not is_chrome_line(line, "fr")
    assert not is_chrome_line("Lesen Sie auch, was der Stadtrat am Dienstag beschlossen hat.", "de")
