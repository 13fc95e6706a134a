/*
  Crawlers (爬虫): the terms forbid distributing scraping programs. A crawler
  is normal code, so these rules ask for review rather than block, and each
  needs both an HTTP client and a scraping pattern.
*/
rule Python_Crawler
{
    meta:
        description = "Python web crawler (HTTP client plus HTML scraping or a spider framework)"
        severity = "review"
        score = "0.7"
    strings:
        $f1 = "import scrapy" 
        $f2 = "scrapy.Spider"
        $f3 = "CrawlSpider"
        $c1 = "import requests"
        $c2 = "from urllib.request import"
        $c3 = "import aiohttp"
        $c4 = "import httpx"
        $s1 = "BeautifulSoup("
        $s2 = "from lxml import etree"
        $s3 = ".xpath("
        $s4 = "re.findall("
        $u1 = "User-Agent"
        $u2 = "fake_useragent"
        $u3 = "proxies"
    condition:
        any of ($f*) or (any of ($c*) and any of ($s*) and any of ($u*))
}

rule Headless_Browser_Scraper
{
    meta:
        description = "Headless browser automation used for scraping"
        severity = "review"
        score = "0.6"
    strings:
        $b1 = "from selenium import webdriver"
        $b2 = "require('puppeteer')"
        $b3 = "require(\"puppeteer\")"
        $b4 = "from playwright"
        $h1 = "--headless"
        $h2 = "headless: true"
        $h3 = "headless=True"
        $x1 = "page_source"
        $x2 = "find_elements"
        $x3 = "page.content()"
        $x4 = "$$eval"
    condition:
        any of ($b*) and any of ($h*) and any of ($x*)
}
