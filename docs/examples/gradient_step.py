# %% [markdown]
# # gradient_step
#
# (in progress)
