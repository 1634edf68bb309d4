"""The table reader shared by every realm (kept import-light: the API reads `options`).

from activities.realms.reading.options import ReadOptions
from activities.realms.reading.reader import read_table

read = read_table(path, "sales.csv", ReadOptions(delimiter=";"))
read.frame          # polars DataFrame, typed
read.read_options   # UsedReadOptions: what was detected and used
read.warnings       # list[ReadWarning]: values that did not fit, with counts and examples
"""
