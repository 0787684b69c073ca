"""Openness about trips abroad (Åbenhed om udlandsrejser): the public pages at
/udlandsrejser and the open data at /aabne-data/rejser.json and .csv, all read from one query
(``queries.published_trips_query``), so the pages and the feeds show the same trips and
figures. No login; children's and young people's names never appear, only counts."""
