"""Site templates: a site's chrome and its article's container, learned from its own pages."""

from scraper.site.learn import learn_template
from scraper.site.template import SiteTemplate, TemplateFit

__all__ = ["SiteTemplate", "TemplateFit", "learn_template"]
