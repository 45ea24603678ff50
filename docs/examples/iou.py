# %% [markdown]
# # iou
#
# (in progress)
