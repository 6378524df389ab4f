"""Cleaning many inputs at once: ``inputs`` (paths, directories, URL lists, standard input
into jobs), ``warc`` (pages of WARC and ARC files), ``pool`` (the cleaning processes, results
in input order) and ``records`` (one JSON record a page, or its error).
"""
