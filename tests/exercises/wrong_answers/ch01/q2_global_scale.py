# Standardises with one global mean and std for all features of a view.
def standardize_views(views):
    return [(v - v.mean()) / v.std() for v in views]
