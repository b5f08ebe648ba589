"""What panels and notebook cells show: HTML views, charts, DataFrames, formatting."""
