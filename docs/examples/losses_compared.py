# %% [markdown]
# # losses_compared
#
# (in progress)
