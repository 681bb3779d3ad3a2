/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The transactions vt_engine_commit() returns: lookup, names, freeing. */
#include <stdlib.h>

#include "txn.h"

const char *vt_txn_outcome_name(enum vt_txn_outcome outcome)
{
	switch (outcome) {
	case VT_TXN_APPLIED: return "applied";
	case VT_TXN_ROLLED_BACK: return "rolled_back";
	case VT_TXN_ROLLBACK_INCOMPLETE: return "rollback_incomplete";
	}
	return "?";
}

const struct vt_txn *vt_txn_of(const struct vt_txn *txns, size_t n_txns, size_t report)
{
	for (size_t i = 0; i < n_txns; i++)
		for (size_t j = 0; j < txns[i].n_trunks; j++)
			if (txns[i].trunks[j] == report)
				return &txns[i];
	return NULL;
}

void vt_txn_free_all(struct vt_txn *txns, size_t n_txns)
{
	for (size_t i = 0; txns && i < n_txns; i++) {
		free(txns[i].ops);
		free(txns[i].trunks);
	}
	free(txns);
}
