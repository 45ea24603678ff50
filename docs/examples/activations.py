# %% [markdown]
# # activations
#
# (in progress)
