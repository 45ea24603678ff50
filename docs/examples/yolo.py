# %% [markdown]
# # yolo
#
# (in progress)
