"""Table models over the store's read results (QAbstractTableModel)."""
