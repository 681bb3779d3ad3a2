/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Step 2 of a transaction (see engine.c): its requests, built stage by stage
 * and sent in one batch a stage, each stage only after every request of the
 * stages before it took effect.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "plan/op.h"

enum step {
	STEP_GROUP,
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
	[STEP_GROUP] = "move into the transaction's device group",
	[STEP_DELETE] = "delete", [STEP_DOWN] = "set down",
	[STEP_CHANGE] = "change", [STEP_IPV6] = "set the IPv6 address generation mode of",
	[STEP_UP] = "set up", [STEP_CREATE] = "create", [STEP_MARK] = "mark",
	[STEP_UP_NEW] = "set up",
};

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
		spec.link.ns = r->restate[i].ns;
		spec.link.ifindex = r->restate[i].ifindex;
		ret = vt_batch_change(r->batch, NULL, &spec) < 0 ? -ENOMEM : 0;
		which[n++] = i;
	}
	if (ret < 0) {
		txn_fail(r->txn, "building requests: %s", strerror(-ret));
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
		txn_fail(r->txn, "set %s down again after its parent came up: %s%s%s%s", r->restate[i].name,
			 strerror(res->error ? -res->error : EIO), res->message[0] ? " (kernel: " : "",
			 res->message, res->message[0] ? ")" : "");
		ret = ret ? ret : -EIO;
	}
out:
	free(which);
	return ret;
}

/* The namespace of the device @op leaves: a new one's, else the one it changes. */
static uint16_t op_ns(const struct vt_op *op)
{
	return creates(op) ? op->after.link.ns : op->before->ns;
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
	const struct vt_ipv6_defaults *dflt = &r->ipv6_defaults[op_ns(op)];
	int mode = dflt->addr_gen_mode;

	if (sp->ipv6) {
		want.addr_gen_mode = mode < 0 || mode == VT_ADDR_GEN_NONE ? VT_ADDR_GEN_EUI64 :
									   (uint8_t)mode;
		want.disabled = dflt->disable_ipv6 == 1;
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
		ret = vt_nl_set_ipv6_disabled(r->e->nl, creates(op) ? op->after.link.ns : op->before->ns,
					      name, ipv6_target(r, op).disabled);
		if (ret < 0) {
			txn_fail(r->txn, "set disable_ipv6 of %s: writing " VT_IPV6_CONF_DIR
					 "/%s/disable_ipv6: %s", name, name, strerror(-ret));
			return ret;
		}
		r->ipv6_written[i] = true;
		r->txn->applied++;
	}
	return 0;
}

/*
 * Whether the kernel has IPv6 at all, and the defaults for ipv6 true of each
 * namespace where some op sets IPv6 state, read once: each namespace has its
 * own conf/default, which is what the kernel gives its new devices.
 */
static int read_ipv6_defaults(struct runner *r)
{
	size_t n = 1;
	int ret = 0;

	for (size_t i = 0; i < r->txn->n_ops; i++)
		if ((txn_op(r, i)->after.fields & VT_F_ADDR_GEN_MODE) && op_ns(txn_op(r, i)) >= n)
			n = (size_t)op_ns(txn_op(r, i)) + 1;
	r->ipv6_defaults = calloc(n, sizeof(*r->ipv6_defaults));
	if (!r->ipv6_defaults) {
		txn_fail(r->txn, "reading " VT_IPV6_CONF_DIR "/default: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	r->n_ipv6_defaults = n;
	for (size_t k = 0; k < n; k++)
		r->ipv6_defaults[k] = (struct vt_ipv6_defaults){ -1, -1 };
	r->ipv6 = false;
	for (size_t k = 0; k < n && !ret; k++) {
		bool needed = false;

		for (size_t i = 0; i < r->txn->n_ops && !needed; i++)
			needed = (txn_op(r, i)->after.fields & VT_F_ADDR_GEN_MODE) &&
				 op_ns(txn_op(r, i)) == k;
		if (!needed)
			continue;
		ret = vt_nl_ipv6_defaults(r->e->nl, (uint16_t)k, &r->ipv6_defaults[k]);
		if (ret == 0)
			r->ipv6 = true;
		else if (ret < 0 && ret != -ENOENT)
			txn_fail(r->txn, "reading " VT_IPV6_CONF_DIR "/default%s: %s",
				 k ? " of a subport's network namespace" : "", strerror(-ret));
	}
	if (ret == -ENOENT)
		return 0;	/* no IPv6 in the kernel: no device has IPv6 state */
	return ret;
}

/* A parent goes by name: created or renamed by this transaction, or there already. */
static int parent_ifindex(struct runner *r, const char *name)
{
	const struct vt_link *l;
	int ifindex = (int)vt_name_table_get(&r->created, name, 0);

	if (ifindex)
		return ifindex;
	l = vt_link_table_find_name(r->e->links, VT_NS_OWN, name);
	return l ? l->ifindex : 0;
}

/*
 * Whether @op deletes a device that may go with the transaction's group: one
 * here, on nothing in another namespace. A device moved into another
 * namespace keeps its VLANs here (vlan_device_event() does nothing on a
 * namespace change), and deleting it there deletes them: they go one by one,
 * inner first, before it (see run_deletes()).
 */
static bool groupable(const struct runner *r, const struct vt_op *op)
{
	const struct vt_link *l = op->before;

	if ((op->kind != VT_OP_DELETE && op->kind != VT_OP_RECREATE) || l->ns != VT_NS_OWN)
		return false;
	for (int guard = 0; guard < 16 && l; guard++) {
		const struct vt_link *up = vt_link_table_parent(r->e->links, l);

		if (!up || up == l)
			break;
		if (up->ns != VT_NS_OWN)
			return false;
		l = up;
	}
	return true;
}

/* Whether @op's device goes with the transaction's group (see run_deletes()). */
static bool by_group(const struct runner *r, const struct vt_op *op)
{
	return r->delete_by_group && groupable(r, op);
}

static int queue_request(struct runner *r, size_t i, int index)
{
	if (index < 0)
		return index;
	r->req_op[r->n_req++] = i;
	return 0;
}

static int queue_up(struct runner *r, size_t i, uint16_t ns, int ifindex, bool up)
{
	struct vt_link_spec spec = { .fields = VT_F_UP };

	spec.link.ns = ns;
	spec.link.ifindex = ifindex;
	spec.link.up = up;
	return queue_request(r, i, vt_batch_change(r->batch, NULL, &spec));
}

static int queue_step(struct runner *r, enum step step, size_t i)
{
	const struct vt_op *op = txn_op(r, i);
	struct vt_link_spec spec;

	switch (step) {
	case STEP_GROUP:
		if (!by_group(r, op))
			return 0;
		spec = (struct vt_link_spec){ .fields = VT_F_GROUP };
		spec.link.ns = op->before->ns;
		spec.link.ifindex = op->before->ifindex;
		spec.link.group = r->journal.group;
		return queue_request(r, i, vt_batch_change(r->batch, NULL, &spec));
	case STEP_DELETE:
		if ((op->kind != VT_OP_DELETE && op->kind != VT_OP_RECREATE) || by_group(r, op))
			return 0;
		return queue_request(r, i, vt_batch_delete(r->batch, op->before->ns, op->before->ifindex, NULL));
	case STEP_DOWN:
		/*
		 * Linux 6.1 renames only devices that are down (EBUSY); 6.2 and
		 * later rename one that is up, but one plan must be the same kernel
		 * work, side effects and rollback on both.
		 */
		if (op->kind == VT_OP_RENAME && op->before->up)
			return queue_up(r, i, op->before->ns, op->before->ifindex, false);
		if (vt_op_ipv6_cycle(op))
			return queue_up(r, i, op->before->ns, op->before->ifindex, false);
		if (op->kind == VT_OP_CHANGE && (op->after.fields & VT_F_UP) && !op->after.link.up)
			return queue_up(r, i, op->before->ns, op->before->ifindex, false);
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
		spec.link.ns = op->before->ns;
		spec.link.ifindex = op->before->ifindex;
		spec.link.ipv6 = ipv6_target(r, op);
		return queue_request(r, i, vt_batch_change(r->batch, NULL, &spec));
	case STEP_UP:
		if (op->kind == VT_OP_RENAME && op->after.link.up)
			return queue_up(r, i, op->before->ns, op->before->ifindex, true);
		if (vt_op_ipv6_cycle(op))
			return queue_up(r, i, op->before->ns, op->before->ifindex, true);
		if (op->kind == VT_OP_CHANGE && (op->after.fields & VT_F_UP) && op->after.link.up)
			return queue_up(r, i, op->before->ns, op->before->ifindex, true);
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
		spec.link.ns = op->after.link.ns;
		spec.link.ifindex = r->chosen[i];
		spec.link.alias = op->after.link.alias;	/* borrowed */
		if (sets_ipv6(r, op)) {
			spec.fields |= VT_F_ADDR_GEN_MODE;
			spec.link.ipv6 = ipv6_target(r, op);
		}
		return queue_request(r, i, vt_batch_change(r->batch, NULL, &spec));
	case STEP_UP_NEW:
		if (!creates(op) || !(op->after.fields & VT_F_UP) || !op->after.link.up)
			return 0;
		return queue_up(r, i, op->after.link.ns, r->chosen[i], true);
	}
	return 0;
}

/*
 * The device of @op that @step acts on as failures name it: its name, and its
 * namespace when not ours (a recreate may move it from one to another).
 */
static const char *op_device(const struct runner *r, const struct vt_op *op, enum step step,
			     char *buf, size_t len)
{
	bool new = !op->before || step >= STEP_CREATE;
	const char *name = new ? op->after.link.name : op->before->name;
	uint16_t ns = new ? op->after.link.ns : op->before->ns;
	const struct vt_netns_name *n = ns ? vt_link_table_netns_slot(r->e->links, ns) : NULL;

	if (!n)
		return name;
	snprintf(buf, len, "%s in netns %.200s", name, n->path);
	return buf;
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
	char buf[VT_IFNAMSIZ + 220];
	const char *dev = op_device(r, op, step, buf, sizeof(buf));
	size_t n = (op->after.fields & VT_F_EGRESS) ? op->after.link.vlan.n_egress : 0;

	if (n && (step == STEP_CHANGE || step == STEP_CREATE))
		txn_fail(r->txn, "%s %s: cannot build its request (egress_qos, %zu entries): %s",
			 step_verbs[step], dev, n, strerror(-err));
	else
		txn_fail(r->txn, "%s %s: cannot build its request: %s", step_verbs[step], dev,
			 strerror(-err));
}

/*
 * Why a create can find its VLAN id taken although the plan checked every
 * VLAN on the parent in every namespace it reads: the kernel keeps a parent's
 * VLANs in one table whatever namespace each is in (vlan_check_real_dev(),
 * "VLAN device already exists"), and vlantrunk does not see a namespace it
 * does not read. "" for any other failure.
 */
static const char *id_taken_unseen(enum step step, const struct vt_req_result *res)
{
	if (step != STEP_CREATE || res->error != -EEXIST ||
	    !strstr(res->message, "VLAN device already exists"))
		return "";
	return "; the VLAN id is taken on its parent by a VLAN vlantrunk does not see: in a "
	       "network namespace it does not read, or made meanwhile";
}

/* One stage: queue, send, account. Fails on any request that did not take effect. */
static int run_stage(struct runner *r, enum step step, int depth)
{
	int ret = 0;

	vt_batch_reset(r->batch);
	r->n_req = 0;
	for (size_t i = 0; i < r->txn->n_ops; i++) {
		const struct vt_op *op = txn_op(r, i);
		unsigned int at = step == STEP_DELETE ? op->before_depth : op->depth;

		if (depth >= 0 && at != (unsigned int)depth)
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
		char buf[VT_IFNAMSIZ + 220];
		const char *dev = op_device(r, op, step, buf, sizeof(buf));

		if (res->state == VT_REQ_ANSWERED && !res->error) {
			r->txn->applied++;
			continue;
		}
		if (res->state == VT_REQ_ANSWERED)
			txn_fail(r->txn, "%s %s: %s%s%s%s%s", step_verbs[step], dev, strerror(-res->error),
				 res->message[0] ? " (kernel: " : "", res->message,
				 res->message[0] ? ")" : "", id_taken_unseen(step, res));
		else if (res->state == VT_REQ_UNKNOWN)
			txn_fail(r->txn, "%s %s: no answer from the kernel (%s)", step_verbs[step], dev,
				 strerror(ret ? -ret : EIO));
		ret = ret ? ret : -EIO;
	}
	return ret;
}

/*
 * The one request that deletes the transaction's group: every device of
 * STEP_GROUP, and nothing else (the group is one no device had, picked for
 * this transaction, and its creates join it only later).
 */
static int run_group_delete(struct runner *r, size_t n)
{
	const struct vt_req_result *res;
	int ret;

	vt_batch_reset(r->batch);
	if (vt_batch_delete_group(r->batch, VT_NS_OWN, r->journal.group) < 0) {
		txn_fail(r->txn, "delete device group %u: cannot build its request: %s",
			 r->journal.group, strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = vt_nl_send_batch(r->e->nl, r->batch);
	res = vt_batch_result(r->batch, 0);
	if (res->state == VT_REQ_ANSWERED && !res->error) {
		r->txn->applied++;
		return 0;
	}
	if (res->state == VT_REQ_ANSWERED)
		txn_fail(r->txn, "delete the %zu devices of device group %u: %s%s%s%s", n,
			 r->journal.group, strerror(-res->error), res->message[0] ? " (kernel: " : "",
			 res->message, res->message[0] ? ")" : "");
	else
		txn_fail(r->txn, "delete the %zu devices of device group %u: no answer from the "
				 "kernel (%s)", n, r->journal.group, strerror(ret ? -ret : EIO));
	return ret ? ret : -EIO;
}

/*
 * Deletes, as the rollback deletes its creates: a request per device makes
 * the kernel wait for RCU grace periods once per device
 * (unregister_netdevice_many() of one), while one RTM_DELLINK of a device
 * group unregisters all its members as one batch. So the devices the
 * transaction deletes in the own namespace (a group is deleted per
 * namespace) are first moved into the transaction's own group, in one
 * batch, then that group is deleted in one request. Their before-images,
 * group included, are journaled: a crash between the two leaves them in the
 * group with their markers, and the recovery puts their groups back. The
 * kernel deletes a device's VLANs with it either way, so the order by depth
 * that per-device deletes need does not matter within the group. A single
 * device goes as before: one request instead of two. Other namespaces'
 * devices go one by one, inner first, and before the group: the kernel
 * deletes the VLANs on a device in every namespace (vlan_device_event() on
 * NETDEV_UNREGISTER), so one there on a device of the group would be gone
 * when its own delete came (ENODEV). Nor does the group take a device that
 * sits on one in another namespace (moved there by hand): that one's delete
 * would take it first (groupable()).
 */
static int run_deletes(struct runner *r, unsigned int max_depth)
{
	size_t n = 0;
	int ret = 0;

	for (size_t i = 0; i < r->txn->n_ops; i++) {
		const struct vt_op *op = txn_op(r, i);

		n += groupable(r, op);
	}
	r->delete_by_group = n >= 2 && r->journal.group;
	for (int d = (int)max_depth; d >= 0 && !ret; d--)
		ret = run_stage(r, STEP_DELETE, d);
	if (r->delete_by_group && !ret) {
		ret = run_stage(r, STEP_GROUP, -1);
		if (!ret)
			ret = run_group_delete(r, n);
	}
	return ret;
}

int vt_engine_stages(struct runner *r)
{
	unsigned int max_depth = 0;
	int ret = 0;

	for (size_t i = 0; i < r->txn->n_ops; i++) {
		if (txn_op(r, i)->depth > max_depth)
			max_depth = txn_op(r, i)->depth;
		if (txn_op(r, i)->before_depth > max_depth)
			max_depth = txn_op(r, i)->before_depth;
	}

	ret = read_ipv6_defaults(r);
	if (!ret)
		ret = run_deletes(r, max_depth);
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
