# %% [markdown]
# # or_gate
#
# (in progress)
