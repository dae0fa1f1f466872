# Divides by a zero standard deviation for a constant feature (NaN).
def standardize_views(views):
    return [(v - v.mean(0)) / v.std(0, unbiased=False) for v in views]
