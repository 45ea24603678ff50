# %% [markdown]
# # coco_evaluation
#
# (in progress)
