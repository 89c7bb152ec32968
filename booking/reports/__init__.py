"""The coordinator's reports: utilisation, access and equity as the supervision review reads them.

- ``services``: every figure for one filter and viewer; ``queries`` and ``sql``: the GROUP BY queries;
  ``cache``: their results kept under a data version that any write of the data changes.
- ``bases``: the bases figures are counted on; ``filters``: what a report covers; ``timeframe``: its dates.
- ``utilisation``, ``access``, ``activity``: the figures; ``equity`` (pure): CV, Gini, McLoone;
  ``opening`` (pure): bookable hours.
- ``tables`` and ``report_tables``: the one table shape of page, export and print; ``exports``: CSV and XLSX.
- ``charts`` (pure SVG, no script), ``dashboard`` and ``equity_charts``: each chart with its data table;
  ``drilldown``: the bookings behind a number; ``pdf``: the equity report as a PDF (WeasyPrint, no network).
- ``views`` and ``forms``: the pages.
- ``county`` and ``county_views``: the county equity report over every district; ``county_equity`` (pure): its
  Theil decomposition and the schools over the county's mark.
"""
