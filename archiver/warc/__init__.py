"""WARC 1.1 writing (writer), recording Scrapy's traffic (recorder), CDXJ lines (cdxj) and reading
records back (reader)."""
