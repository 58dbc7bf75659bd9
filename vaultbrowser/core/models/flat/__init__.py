"""The flat table over a lazy tree (``FlatTreeModel``, for ``TreeTable``): its rows
(``ShownRows``, ``RowHints``) and their order under a sort and a filter (``ChildOrder``,
computed in slices by ``OrderSwitch``)."""
