# %% [markdown]
# # average_precision
#
# (in progress)
