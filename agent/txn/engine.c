/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Committing a plan. Per transaction:
 *  1. journal every device it touches (before-images; identities of the
 *     devices it creates, whose ifindex it chooses) and fsync it;
 *  2. send its requests in stages, each stage one batch of one depth:
 *     deletes (inner first); downs (inner first: renames' and changes');
 *     changes (outer first); ups (outer first), each depth followed by the
 *     downs of the VLANs the kernel brought up with it that must stay down;
 *     then per depth, outer first, creates (sent down), their markers and
 *     their ups. Ups go outer first because the kernel refuses to bring a
 *     VLAN up on a parent that is down (ENETDOWN), and new devices come up
 *     only once their parent is up, so that the kernel brings none of them
 *     up by itself. IPv6 state is set before a device is up with it: a
 *     create's address generation mode with its marker, a change's after
 *     the changes (its MTU may give it IPv6 state), then disable_ipv6 (a
 *     sysctl write) before the ups. A stage runs only if every request of
 *     the stages before it took effect;
 *  3. on any failure restore every journaled device (restore.c), which
 *     verifies itself; on success re-plan the transaction's trunks from a
 *     fresh dump: anything left to do means the kernel did not do as asked,
 *     which is a failure too;
 *  4. remove the journal, unless the rollback could not be verified.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "link_source.h"
#include "engine.h"
#include "journal.h"
#include "base/name_table.h"
#include "plan/op.h"

enum step {
	STEP_DELETE,
	STEP_DOWN,
	STEP_CHANGE,
	STEP_IPV6,
	STEP_UP,
	STEP_CREATE,
	STEP_MARK,
	STEP_UP_NEW,
};

static const char *const step_verbs[] = {
	[STEP_DELETE] = "delete", [STEP_DOWN] = "set down",
	[STEP_CHANGE] = "change", [STEP_IPV6] = "set the IPv6 address generation mode of",
	[STEP_UP] = "set up", [STEP_CREATE] = "create", [STEP_MARK] = "mark",
	[STEP_UP_NEW] = "set up",
};

struct runner {
	struct vt_engine *e;
	struct vt_txn *txn;
	struct vt_journal journal;
	struct vt_batch *batch;
	int *chosen;			/* per txn op: the ifindex a create gets */
	struct vt_name_table created;	/* the same by name, and renamed devices' new names */
	size_t *req_op;			/* per queued request: its txn op */
	size_t n_req;
	/* the kernel has IPv6 (else no device has IPv6 state), and its defaults */
	bool ipv6;
	struct vt_ipv6_defaults ipv6_defaults;
	bool *ipv6_written;		/* per txn op: disable_ipv6 written (see confirm_changed()) */
	/* VLANs the kernel brings up with their parent that must be down again */
	struct restate {
		int ifindex;
		char name[VT_IFNAMSIZ];
		unsigned int cause;	/* depth of the device whose up brings it up */
	} *restate;
	size_t n_restate;
};

const char *vt_txn_outcome_name(enum vt_txn_outcome outcome)
{
	switch (outcome) {
	case VT_TXN_APPLIED: return "applied";
	case VT_TXN_ROLLED_BACK: return "rolled_back";
	case VT_TXN_ROLLBACK_INCOMPLETE: return "rollback_incomplete";
	}
	return "?";
}

static const struct vt_op *txn_op(const struct runner *r, size_t i)
{
	return &r->e->plan->ops[r->txn->ops[i]];
}

static bool creates(const struct vt_op *op)
{
	return op->kind == VT_OP_CREATE || op->kind == VT_OP_RECREATE;
}

static const char *ifname(const struct vt_link_table *links, int ifindex)
{
	const struct vt_link *l = ifindex ? vt_link_table_find_ifindex(links, ifindex) : NULL;

	return l ? l->name : "";
}

static void __attribute__((format(printf, 2, 3))) fail(struct vt_txn *txn, const char *fmt, ...)
{
	va_list ap;

	if (txn->error[0])
		return;		/* the first failure is the one that matters */
	va_start(ap, fmt);
	vsnprintf(txn->error, sizeof(txn->error), fmt, ap);
	va_end(ap);
}

static int journal_effects(struct runner *r);

static int write_journal(struct runner *r)
{
	const struct vt_link_table *links = r->e->links;
	struct vt_journal *j = &r->journal;
	static const char *const none = "";
	int ret = 0;

	uint32_t rnd[2] = { 0, 0 };

	/*
	 * One file per transaction: a kept one is never written over (the
	 * writer refuses an existing name too). Time, pid and sequence alone
	 * repeat (pid 1 of every container, a clock stepped back): random bits
	 * follow, and pick the transaction's group.
	 */
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		rnd[0] = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ (uint32_t)clock();
		rnd[1] = rnd[0] * 2654435761u + r->e->txn_seq;
	}
	snprintf(j->id, sizeof(j->id), "%ld-%d-%u-%08x", (long)time(NULL), (int)getpid(),
		 ++r->e->txn_seq, rnd[0]);
	j->group = vt_pick_group(links, rnd[1]);
	for (size_t i = 0; i < r->txn->n_trunks && !ret; i++)
		ret = vt_journal_add_trunk(j, r->e->plan->trunks[r->txn->trunks[i]].name);
	for (size_t i = 0; i < r->txn->n_ops && !ret; i++) {
		const struct vt_op *op = txn_op(r, i);
		struct vt_journal_entry *e;

		if (op->before) {
			e = vt_journal_add(j, VT_ENTRY_PRESENT, op->before,
					   ifname(links, op->before->parent),
					   op->before->master ? ifname(links, op->before->master) : none,
					   op->depth);
			if (!e) {
				ret = -ENOMEM;
				break;
			}
			/*
			 * A renamed device is still known as the journal's under its new
			 * name; and a create whose parent it is finds it by that name (the
			 * dump the plan was made from still has the old one).
			 */
			if (op->kind == VT_OP_RENAME && (op->after.fields & VT_F_NAME)) {
				strcpy(e->new_name, op->after.link.name);
				ret = vt_name_table_add(&r->created, op->after.link.name,
							op->before->ifindex);
				if (ret)
					break;
			}
		}
		if (creates(op)) {
			struct vt_link id = { .is_vlan = true };

			r->chosen[i] = vt_pick_ifindex(links, &r->e->next_ifindex);
			ret = vt_name_table_add(&r->created, op->after.link.name, r->chosen[i]);
			if (ret)
				break;
			id.ifindex = r->chosen[i];
			strcpy(id.name, op->after.link.name);
			strcpy(id.kind, "vlan");
			id.vlan.id = op->after.link.vlan.id;
			id.vlan.protocol = op->after.link.vlan.protocol;
			/* The marker it gets once complete: with it, it is proven ours. */
			strcpy(id.alias, op->after.link.alias);
			if (!vt_journal_add(j, VT_ENTRY_ABSENT, &id, op->parent_name, none, op->depth))
				ret = -ENOMEM;
		}
	}
	if (!ret)
		ret = journal_effects(r);
	if (!ret)
		ret = vt_journal_write(r->e->state_dirfd, j);
	if (ret)
		fail(r->txn, "writing the journal: %s; nothing was changed", strerror(-ret));
	return ret;
}

static int add_restate(struct runner *r, const struct vt_link *l, const char *name,
		       unsigned int cause)
{
	struct restate *v;

	/* Brought up by two causes: set down after the later. */
	for (size_t i = 0; i < r->n_restate; i++)
		if (r->restate[i].ifindex == l->ifindex) {
			if (cause > r->restate[i].cause)
				r->restate[i].cause = cause;
			return 0;
		}
	v = reallocarray(r->restate, r->n_restate + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->restate = v;
	v[r->n_restate].ifindex = l->ifindex;
	v[r->n_restate].cause = cause;
	snprintf(v[r->n_restate].name, sizeof(v->name), "%s", name);
	r->n_restate++;
	return 0;
}

static bool in_txn(const struct runner *r, size_t report)
{
	for (size_t i = 0; i < r->txn->n_trunks; i++)
		if (r->txn->trunks[i] == report)
			return true;
	return false;
}

/*
 * What the kernel changes by itself as the transaction's requests take
 * effect (struct vt_effect, planned in plan_effects.c): journaled like the
 * devices the transaction changes, so a rollback restores them, and those
 * brought up that must stay down are set down again right after the stage
 * that brought their parent up.
 */
static int journal_effects(struct runner *r)
{
	const struct vt_plan *plan = r->e->plan;
	const struct vt_link_table *links = r->e->links;
	int ret = 0;

	for (size_t i = 0; i < plan->n_effects && !ret; i++) {
		const struct vt_effect *fx = &plan->effects[i];
		const struct vt_link *l = fx->link;

		if (!in_txn(r, fx->trunk))
			continue;
		if (fx->journal && !vt_journal_add(&r->journal, VT_ENTRY_PRESENT, l,
						   ifname(links, l->parent),
						   l->master ? ifname(links, l->master) : "", fx->depth))
			ret = -ENOMEM;
		if (!ret && fx->kind == VT_EFFECT_UP && fx->restate)
			ret = add_restate(r, l, fx->name, fx->cause_depth);
	}
	return ret;
}

/*
 * Set down again what the kernel brought up with a parent of @depth (see
 * journal_effects()), right after that parent's stage.
 */
static int run_restate(struct runner *r, unsigned int depth)
{
	size_t *which = NULL, n = 0;
	int ret = 0;

	if (!r->n_restate)
		return 0;
	which = calloc(r->n_restate, sizeof(*which));
	if (!which)
		ret = -ENOMEM;
	vt_batch_reset(r->batch);
	for (size_t i = 0; i < r->n_restate && !ret; i++) {
		struct vt_link_spec spec = { .fields = VT_F_UP };

		if (r->restate[i].cause != depth)
			continue;
		spec.link.ifindex = r->restate[i].ifindex;
		ret = vt_batch_change(r->batch, NULL, &spec) < 0 ? -ENOMEM : 0;
		which[n++] = i;
	}
	if (ret < 0) {
		fail(r->txn, "building requests: %s", strerror(-ret));
		goto out;
	}
	if (!n)
		goto out;
	ret = vt_nl_send_batch(r->e->nl, r->batch);
	for (size_t k = 0; k < n; k++) {
		const struct vt_req_result *res = vt_batch_result(r->batch, k);
		size_t i = which[k];

		if (res->state == VT_REQ_ANSWERED && !res->error) {
			r->txn->applied++;
			continue;
		}
		fail(r->txn, "set %s down again after its parent came up: %s%s%s%s", r->restate[i].name,
		     strerror(res->error ? -res->error : EIO), res->message[0] ? " (kernel: " : "",
		     res->message, res->message[0] ? ")" : "");
		ret = ret ? ret : -EIO;
	}
out:
	free(which);
	return ret;
}

/* Whether @op sets IPv6 state: subport.ipv6 differs, or is off on a new state. */
static bool sets_ipv6(const struct runner *r, const struct vt_op *op)
{
	return r->ipv6 && (op->after.fields & VT_F_ADDR_GEN_MODE);
}

/*
 * The IPv6 state @op gives its device: ipv6 false's (mode none, disabled), or
 * for true the namespace's defaults, which the kernel would have given it: the
 * default mode (eui64 where that is none, or unreadable) and disable_ipv6.
 */
static struct vt_ipv6 ipv6_target(const struct runner *r, const struct vt_op *op)
{
	const struct vt_subport *sp = r->e->plan->trunks[op->trunk].subports[op->subport].want;
	struct vt_ipv6 want = op->after.link.ipv6;
	int mode = r->ipv6_defaults.addr_gen_mode;

	if (sp->ipv6) {
		want.addr_gen_mode = mode < 0 || mode == VT_ADDR_GEN_NONE ? VT_ADDR_GEN_EUI64 :
									   (uint8_t)mode;
		want.disabled = r->ipv6_defaults.disable_ipv6 == 1;
	}
	want.present = true;
	return want;
}

/*
 * disable_ipv6 has no rtnetlink attribute: written by the device's name as
 * it is now, after its rename if it has one, for the ops that set IPv6 among
 * the creates of @depth (@new_devices) or the changes of any depth. Mode first,
 * then this: with IPv6 turned on again, its addresses are then made with
 * the mode wanted. A write that fails fails the transaction.
 */
static int run_disable_ipv6(struct runner *r, bool new_devices, int depth)
{
	for (size_t i = 0; i < r->txn->n_ops; i++) {
		const struct vt_op *op = txn_op(r, i);
		const char *name;
		int ret;

		if (!sets_ipv6(r, op) || creates(op) != new_devices ||
		    (depth >= 0 && op->depth != (unsigned int)depth))
			continue;
		name = creates(op) || (op->after.fields & VT_F_NAME) ? op->after.link.name :
								      op->before->name;
		ret = vt_nl_set_ipv6_disabled(r->e->nl, name, ipv6_target(r, op).disabled);
		if (ret < 0) {
			fail(r->txn, "set disable_ipv6 of %s: writing " VT_IPV6_CONF_DIR
				     "/%s/disable_ipv6: %s", name, name, strerror(-ret));
			return ret;
		}
		r->ipv6_written[i] = true;
		r->txn->applied++;
	}
	return 0;
}

/*
 * Whether the kernel has IPv6 at all, and its defaults for ipv6 true, read
 * once, when some op sets IPv6 state.
 */
static int read_ipv6_defaults(struct runner *r)
{
	int ret = 0;

	for (size_t i = 0; i < r->txn->n_ops; i++)
		if (txn_op(r, i)->after.fields & VT_F_ADDR_GEN_MODE) {
			ret = vt_nl_ipv6_defaults(r->e->nl, &r->ipv6_defaults);
			break;
		}
	r->ipv6 = ret == 0;
	if (ret == -ENOENT)
		return 0;	/* no IPv6 in the kernel: no device has IPv6 state */
	if (ret < 0)
		fail(r->txn, "reading " VT_IPV6_CONF_DIR "/default: %s", strerror(-ret));
	return ret;
}

/* A parent goes by name: created or renamed by this transaction, or there already. */
static int parent_ifindex(struct runner *r, const char *name)
{
	const struct vt_link *l;
	int ifindex = (int)vt_name_table_get(&r->created, name, 0);

	if (ifindex)
		return ifindex;
	l = vt_link_table_find_name(r->e->links, name);
	return l ? l->ifindex : 0;
}

static int queue_request(struct runner *r, size_t i, int index)
{
	if (index < 0)
		return index;
	r->req_op[r->n_req++] = i;
	return 0;
}

static int queue_up(struct runner *r, size_t i, int ifindex, bool up)
{
	struct vt_link_spec spec = { .fields = VT_F_UP };

	spec.link.ifindex = ifindex;
	spec.link.up = up;
	return queue_request(r, i, vt_batch_change(r->batch, NULL, &spec));
}

static int queue_step(struct runner *r, enum step step, size_t i)
{
	const struct vt_op *op = txn_op(r, i);
	struct vt_link_spec spec;

	switch (step) {
	case STEP_DELETE:
		if (op->kind != VT_OP_DELETE && op->kind != VT_OP_RECREATE)
			return 0;
		return queue_request(r, i, vt_batch_delete(r->batch, op->before->ifindex, NULL));
	case STEP_DOWN:
		/*
		 * Linux 6.1 renames only devices that are down (EBUSY); 6.2 and
		 * later rename one that is up, but one plan must be the same kernel
		 * work, side effects and rollback on both.
		 */
		if (op->kind == VT_OP_RENAME && op->before->up)
			return queue_up(r, i, op->before->ifindex, false);
		if (vt_op_ipv6_cycle(op))
			return queue_up(r, i, op->before->ifindex, false);
		if (op->kind == VT_OP_CHANGE && (op->after.fields & VT_F_UP) && !op->after.link.up)
			return queue_up(r, i, op->before->ifindex, false);
		return 0;
	case STEP_CHANGE:
		if (op->kind != VT_OP_CHANGE && op->kind != VT_OP_RENAME)
			return 0;
		spec = op->after;
		/* STEP_DOWN and STEP_UP do the up state; STEP_IPV6 the mode, once the
		 * MTU gave the device IPv6 state (it is refused without: EAFNOSUPPORT). */
		spec.fields &= ~(VT_F_UP | VT_F_ADDR_GEN_MODE);
		if (!spec.fields)
			return 0;
		return queue_request(r, i, vt_batch_change(r->batch, op->before, &spec));
	case STEP_IPV6:
		if ((op->kind != VT_OP_CHANGE && op->kind != VT_OP_RENAME) || !sets_ipv6(r, op))
			return 0;
		spec = (struct vt_link_spec){ .fields = VT_F_ADDR_GEN_MODE };
		spec.link.ifindex = op->before->ifindex;
		spec.link.ipv6 = ipv6_target(r, op);
		return queue_request(r, i, vt_batch_change(r->batch, NULL, &spec));
	case STEP_UP:
		if (op->kind == VT_OP_RENAME && op->after.link.up)
			return queue_up(r, i, op->before->ifindex, true);
		if (vt_op_ipv6_cycle(op))
			return queue_up(r, i, op->before->ifindex, true);
		if (op->kind == VT_OP_CHANGE && (op->after.fields & VT_F_UP) && op->after.link.up)
			return queue_up(r, i, op->before->ifindex, true);
		return 0;
	case STEP_CREATE:
		if (!creates(op))
			return 0;
		spec = op->after;
		spec.link.ifindex = r->chosen[i];
		spec.link.parent = parent_ifindex(r, op->parent_name);
		/* The kernel ignores an alias at creation, and refuses an address
		 * generation mode: STEP_MARK sets them. Down until STEP_UP_NEW: nothing
		 * of it is in use before it is complete. */
		spec.fields &= ~(VT_F_ALIAS | VT_F_ADDR_GEN_MODE | VT_F_UP);
		/* Until marked, the transaction's own group: see restore.c. */
		spec.fields |= VT_F_GROUP;
		spec.link.group = r->journal.group;
		return queue_request(r, i, vt_batch_create(r->batch, &spec));
	case STEP_MARK:
		if (!creates(op))
			return 0;
		/* Marked, and out of the transaction's group: in the kernel's default.
		 * With IPv6 off, the mode too (the kernel takes none at creation). */
		spec = (struct vt_link_spec){ .fields = VT_F_ALIAS | VT_F_GROUP };
		spec.link.ifindex = r->chosen[i];
		strcpy(spec.link.alias, op->after.link.alias);
		if (sets_ipv6(r, op)) {
			spec.fields |= VT_F_ADDR_GEN_MODE;
			spec.link.ipv6 = ipv6_target(r, op);
		}
		return queue_request(r, i, vt_batch_change(r->batch, NULL, &spec));
	case STEP_UP_NEW:
		if (!creates(op) || !(op->after.fields & VT_F_UP) || !op->after.link.up)
			return 0;
		return queue_up(r, i, r->chosen[i], true);
	}
	return 0;
}

/*
 * A request that could not be built, named by its subport and, when it
 * carries one, the egress map (the one field whose size varies).
 *
 * Each stage is built just before it is sent, yet building cannot fail for
 * anything the loader accepts but for want of memory: an egress map of any
 * length goes out as several messages of one request (netlink/encode.c), and
 * every other value is checked by the loader and the planner. If memory runs
 * out at a later stage, the stages sent before it are rolled back as after
 * any other failure.
 */
static void fail_build(struct runner *r, enum step step, size_t i, int err)
{
	const struct vt_op *op = txn_op(r, i);
	const char *dev = op->before ? op->before->name : op->after.link.name;
	size_t n = (op->after.fields & VT_F_EGRESS) ? op->after.link.vlan.n_egress : 0;

	if (n && (step == STEP_CHANGE || step == STEP_CREATE))
		fail(r->txn, "%s %s: cannot build its request (egress_qos, %zu entries): %s",
		     step_verbs[step], dev, n, strerror(-err));
	else
		fail(r->txn, "%s %s: cannot build its request: %s", step_verbs[step], dev,
		     strerror(-err));
}

/* One stage: queue, send, account. Fails on any request that did not take effect. */
static int run_stage(struct runner *r, enum step step, int depth)
{
	int ret = 0;

	vt_batch_reset(r->batch);
	r->n_req = 0;
	for (size_t i = 0; i < r->txn->n_ops; i++) {
		if (depth >= 0 && txn_op(r, i)->depth != (unsigned int)depth)
			continue;
		ret = queue_step(r, step, i);
		if (ret < 0) {
			fail_build(r, step, i, ret);
			return ret;
		}
	}
	if (!r->n_req)
		return 0;

	ret = vt_nl_send_batch(r->e->nl, r->batch);
	for (size_t k = 0; k < r->n_req; k++) {
		const struct vt_req_result *res = vt_batch_result(r->batch, k);
		const struct vt_op *op = txn_op(r, r->req_op[k]);
		const char *dev = op->before ? op->before->name : op->after.link.name;

		if (res->state == VT_REQ_ANSWERED && !res->error) {
			r->txn->applied++;
			continue;
		}
		if (res->state == VT_REQ_ANSWERED)
			fail(r->txn, "%s %s: %s%s%s%s", step_verbs[step], dev, strerror(-res->error),
			     res->message[0] ? " (kernel: " : "", res->message,
			     res->message[0] ? ")" : "");
		else if (res->state == VT_REQ_UNKNOWN)
			fail(r->txn, "%s %s: no answer from the kernel (%s)", step_verbs[step], dev,
			     strerror(ret ? -ret : EIO));
		ret = ret ? ret : -EIO;
	}
	return ret;
}

static int run_stages(struct runner *r)
{
	unsigned int max_depth = 0;
	int ret = 0;

	for (size_t i = 0; i < r->txn->n_ops; i++)
		if (txn_op(r, i)->depth > max_depth)
			max_depth = txn_op(r, i)->depth;

	ret = read_ipv6_defaults(r);
	for (int d = (int)max_depth; d >= 0 && !ret; d--)
		ret = run_stage(r, STEP_DELETE, d);
	for (int d = (int)max_depth; d >= 0 && !ret; d--)
		ret = run_stage(r, STEP_DOWN, d);
	for (int d = 0; d <= (int)max_depth && !ret; d++)
		ret = run_stage(r, STEP_CHANGE, d);
	if (!ret)
		ret = run_stage(r, STEP_IPV6, -1);
	if (!ret)
		ret = run_disable_ipv6(r, false, -1);
	for (int d = 0; d <= (int)max_depth && !ret; d++) {
		ret = run_stage(r, STEP_UP, d);
		if (!ret)
			ret = run_restate(r, (unsigned int)d);
	}
	for (int d = 0; d <= (int)max_depth && !ret; d++) {
		ret = run_stage(r, STEP_CREATE, d);
		if (!ret)
			ret = run_stage(r, STEP_MARK, d);
		if (!ret)
			ret = run_disable_ipv6(r, true, d);
		if (!ret)
			ret = run_stage(r, STEP_UP_NEW, d);
	}
	return ret;
}

/*
 * The kernel sends no link event for a change (alias, VLAN flags, QoS maps)
 * to a device that is down: netdev_state_change() notifies only devices that
 * are up. A copy of the links kept from events (the agent's) would still show
 * such a device as it was, so the devices the transaction changed are read
 * back before verifying. A sysctl write (disable_ipv6) sends no event even
 * while the device is up: a device changed in place so is read back whatever
 * its state. (A create's up comes after its write: that event tells.)
 */
static int confirm_changed(struct runner *r)
{
	const struct vt_link_source *src = r->e->source;
	int *ifindexes;
	size_t n = 0, n_silent = 0;
	int ret;

	if (!src || !src->confirm)
		return 0;
	ifindexes = calloc(r->txn->n_ops ? r->txn->n_ops : 1, sizeof(*ifindexes));
	if (!ifindexes)
		return -ENOMEM;
	for (size_t i = 0; i < r->txn->n_ops; i++) {
		const struct vt_op *op = txn_op(r, i);

		if ((op->kind == VT_OP_CHANGE || op->kind == VT_OP_RENAME) && r->ipv6_written[i])
			ifindexes[n_silent++] = op->before->ifindex;
	}
	n = n_silent;
	for (size_t i = 0; i < r->txn->n_ops; i++) {
		const struct vt_op *op = txn_op(r, i);

		if ((op->kind == VT_OP_CHANGE || op->kind == VT_OP_RENAME) && !r->ipv6_written[i])
			ifindexes[n++] = op->before->ifindex;
		else if (creates(op))
			ifindexes[n++] = r->chosen[i];	/* its marker came in a change */
	}
	ret = src->confirm(src->arg, ifindexes, n, n_silent);
	free(ifindexes);
	return ret;
}

/*
 * Re-read and re-plan the transaction's trunks: nothing may be left to do,
 * and none of them may have ended blocked, in conflict or without its parent
 * when it could converge before.
 */
static int verify(struct runner *r)
{
	struct vt_link_table scratch = { 0 };
	const struct vt_link_table *links;
	struct vt_plan plan;
	const char **names = calloc(r->txn->n_trunks ? r->txn->n_trunks : 1, sizeof(*names));
	int ret = -ENOMEM;

	if (!names)
		return ret;
	for (size_t i = 0; i < r->txn->n_trunks; i++)
		names[i] = r->e->plan->trunks[r->txn->trunks[i]].name;
	ret = confirm_changed(r);
	/* The verdict is in before anything reads the links again: a view will do. */
	if (ret == 0)
		ret = vt_link_source_view(r->e->source, r->e->nl, &scratch, &links);
	if (ret < 0) {
		fail(r->txn, "verifying: cannot read the kernel's links: %s", strerror(-ret));
		goto out;
	}
	ret = vt_plan_build(r->e->desired, links, names, r->txn->n_trunks, &plan);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < plan.n_ops && !ret; i++) {
		const struct vt_op *op = &plan.ops[i];

		fail(r->txn, "verifying: after the commit %s still needs a %s (the kernel did not "
			     "do as asked)", op->before ? op->before->name : op->after.link.name,
		     vt_op_kind_name(op->kind));
		ret = -EIO;
	}
	for (size_t i = 0; i < plan.n_trunks && !ret; i++) {
		const struct vt_trunk_report *now = &plan.trunks[i];
		const struct vt_trunk_report *was = NULL;

		for (size_t k = 0; k < r->txn->n_trunks && !was; k++)
			if (!strcmp(r->e->plan->trunks[r->txn->trunks[k]].name, now->name))
				was = &r->e->plan->trunks[r->txn->trunks[k]];
		if (!was || !was->can_converge || now->can_converge)
			continue;
		fail(r->txn, "verifying: after the commit trunk %s cannot converge: %s", now->name,
		     now->reason);
		ret = -EIO;
	}
	vt_plan_free(&plan);
out:
	vt_link_table_clear(&scratch);
	free(names);
	return ret;
}

static void rollback(struct runner *r)
{
	struct vt_restore_report rep;
	int ret = vt_restore(r->e->nl, &r->journal, &rep);

	if (r->e->source && r->e->source->invalidate)
		r->e->source->invalidate(r->e->source->arg);
	r->txn->rolled_back = rep.deleted + rep.created + rep.changed;
	if (ret == 0) {
		r->txn->outcome = VT_TXN_ROLLED_BACK;
		return;
	}
	r->txn->outcome = VT_TXN_ROLLBACK_INCOMPLETE;
	if (ret == -EIO)
		snprintf(r->txn->remains, sizeof(r->txn->remains), "%s%s%s", rep.remains,
			 rep.error[0] ? " first failure: " : "", rep.error);
	else
		snprintf(r->txn->remains, sizeof(r->txn->remains),
			 "the rollback could not read the kernel (%s); the journal is kept",
			 strerror(-ret));
}

static int run_txn(struct vt_engine *e, struct vt_txn *txn)
{
	struct runner r = { .e = e, .txn = txn };
	int ret = -ENOMEM;

	r.batch = vt_batch_new();
	r.chosen = calloc(txn->n_ops, sizeof(*r.chosen));
	r.req_op = calloc(txn->n_ops * 3, sizeof(*r.req_op));
	r.ipv6_written = calloc(txn->n_ops, sizeof(*r.ipv6_written));
	if (!r.batch || !r.chosen || !r.req_op || !r.ipv6_written)
		goto out;
	ret = 0;
	if (write_journal(&r) < 0) {
		txn->outcome = VT_TXN_ROLLED_BACK;	/* nothing was sent */
		goto out;
	}
	if (run_stages(&r) < 0 || verify(&r) < 0)
		rollback(&r);
	else
		txn->outcome = VT_TXN_APPLIED;
	/* An unverified rollback keeps the journal: the next run retries recovery. */
	if (txn->outcome != VT_TXN_ROLLBACK_INCOMPLETE)
		vt_journal_remove(e->state_dirfd, r.journal.file);
out:
	vt_journal_free(&r.journal);
	vt_name_table_free(&r.created);
	vt_batch_free(r.batch);
	free(r.chosen);
	free(r.req_op);
	free(r.ipv6_written);
	free(r.restate);
	return ret;
}

/* Transactions: one per scope (a trunk and those nested on it), or one for all. */
static int group(const struct vt_engine *e, struct vt_txn **out, size_t *n_out)
{
	const struct vt_plan *plan = e->plan;
	struct vt_txn *txns = calloc(plan->n_trunks ? plan->n_trunks : 1, sizeof(*txns));
	size_t *txn_of = calloc(plan->n_trunks ? plan->n_trunks : 1, sizeof(*txn_of));
	size_t n = 0;
	int ret = -ENOMEM;

	if (!txns || !txn_of)
		goto out;
	for (size_t i = 0; i < plan->n_trunks; i++)
		txn_of[i] = SIZE_MAX;
	for (size_t i = 0; i < plan->n_ops; i++) {
		size_t scope = e->atomic ? 0 : plan->trunks[plan->ops[i].trunk].scope;
		struct vt_txn *t;

		if (txn_of[scope] == SIZE_MAX) {
			txn_of[scope] = n++;
			t = &txns[txn_of[scope]];
			t->ops = calloc(plan->n_ops, sizeof(*t->ops));
			t->trunks = calloc(plan->n_trunks, sizeof(*t->trunks));
			if (!t->ops || !t->trunks)
				goto out;
		}
		t = &txns[txn_of[scope]];
		t->ops[t->n_ops++] = i;
	}
	/* Every trunk of a transaction is named in it, even one without operations. */
	for (size_t i = 0; i < plan->n_trunks; i++) {
		size_t scope = e->atomic ? 0 : plan->trunks[i].scope;

		if (txn_of[scope] != SIZE_MAX) {
			struct vt_txn *t = &txns[txn_of[scope]];

			t->trunks[t->n_trunks++] = i;
		}
	}
	ret = 0;
out:
	free(txn_of);
	*out = txns;
	*n_out = n;
	if (ret < 0) {
		vt_txns_free(txns, plan->n_trunks);
		*out = NULL;
		*n_out = 0;
	}
	return ret;
}

int vt_engine_commit(struct vt_engine *e, struct vt_txn **txns, size_t *n_txns)
{
	int ret = group(e, txns, n_txns);

	for (size_t i = 0; i < *n_txns && !ret; i++)
		ret = run_txn(e, &(*txns)[i]);
	return ret;
}

const struct vt_txn *vt_txn_of(const struct vt_txn *txns, size_t n_txns, size_t report)
{
	for (size_t i = 0; i < n_txns; i++)
		for (size_t j = 0; j < txns[i].n_trunks; j++)
			if (txns[i].trunks[j] == report)
				return &txns[i];
	return NULL;
}

void vt_txns_free(struct vt_txn *txns, size_t n_txns)
{
	for (size_t i = 0; txns && i < n_txns; i++) {
		free(txns[i].ops);
		free(txns[i].trunks);
	}
	free(txns);
}
