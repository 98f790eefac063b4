"""Scrapy peer for scripts/bench-crawl.sh: a minimal CrawlSpider that follows every
link within the benchmark's hosts. Run with `scrapy runspider`; the hosts' homepages
come from -a sites=FILE (the census sites.csv), the requests go to nginx through
the http_proxy environment variable (Scrapy's default HttpProxyMiddleware), and the
crawl stats are written as JSON to -a stats_out=FILE when the spider closes.
Bounded by CLOSESPIDER_PAGECOUNT / CLOSESPIDER_TIMEOUT (set by the script)."""
import csv
import json
from urllib.parse import urlsplit

from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class BenchSpider(CrawlSpider):
    name = "bench"
    custom_settings = {
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": 64,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    }
    rules = (Rule(LinkExtractor(), callback="parse_page", follow=True),)

    def __init__(self, sites="", stats_out="", *args, **kwargs):
        with open(sites, encoding="utf-8-sig") as f:
            self.start_urls = [row["url"] for row in csv.DictReader(f)]
        self.allowed_domains = sorted({urlsplit(u).hostname for u in self.start_urls})
        self.stats_out = stats_out
        super().__init__(*args, **kwargs)

    def parse_start_url(self, response):
        return self.parse_page(response)

    def parse_page(self, response):
        # What a census-like spider does at the least: the page's title.
        yield {"url": response.url, "title": response.css("title::text").get()}

    def closed(self, reason):
        if not self.stats_out:
            return
        stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                 for k, v in self.crawler.stats.get_stats().items()}
        stats["finish_reason"] = reason
        with open(self.stats_out, "w") as f:
            json.dump(stats, f, indent=1, default=str)
