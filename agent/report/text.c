/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Human output: plans read like plans, statuses like `ip -br`. */
#include <stdio.h>
#include <string.h>

#include "report.h"

/* "mtu 1500 -> 1400, up down -> up" for the bits of @differs. */
static void describe(const struct vt_subport_report *rep, uint32_t differs,
		     const struct vt_link_table *links, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (uint32_t bit = 1; bit && off < len; bit <<= 1) {
		char old[160], want[160];

		if (!(differs & bit))
			continue;
		vt_diff_values((enum vt_diff)bit, rep, links, old, want, sizeof(old));
		off += (size_t)snprintf(buf + off, len - off, "%s%s %s -> %s", off ? ", " : "",
					vt_diff_name((enum vt_diff)bit), old, want);
	}
}

static const struct vt_subport_report *op_report(const struct vt_plan *plan, const struct vt_op *op)
{
	return op->subport == SIZE_MAX ? NULL : &plan->trunks[op->trunk].subports[op->subport];
}

/* The path of namespace @ns as the links name it; NULL for vlantrunk's own. */
static const char *ns_path(const struct vt_link_table *links, uint16_t ns)
{
	const struct vt_netns_name *n = ns ? vt_link_table_netns_slot(links, ns) : NULL;

	return n ? n->path : NULL;
}

/*
 * Where the op's device is: one name is in many namespaces. (An op never
 * moves a device: a move is a delete where it was and a create where it goes.)
 */
static void print_op_netns(const struct vt_world *w, const struct vt_op *op,
			   const struct vt_subport_report *rep)
{
	const char *where = op->kind == VT_OP_DELETE ?
		ns_path(&w->links, op->before->ns) : rep && rep->want->netns ? rep->want->netns : NULL;

	if (where)
		printf(" (netns %s)", where);
}

static void print_op(int verbosity, const struct vt_world *w, const struct vt_op *op)
{
	const struct vt_subport_report *rep = op_report(&w->plan, op);
	const char *trunk = w->plan.trunks[op->trunk].name;
	char what[1024];

	switch (op->kind) {
	case VT_OP_CREATE:
		printf("+ create %s (%s, %s %u)", op->after.link.name, op->parent_name,
		       vt_protocol_name(op->after.link.vlan.protocol), op->after.link.vlan.id);
		break;
	case VT_OP_DELETE:
		printf("- delete %s", op->before->name);
		break;
	case VT_OP_CHANGE:
		describe(rep, op->differs, &w->links, what, sizeof(what));
		printf("~ change %s: %s", op->before->name, what);
		break;
	case VT_OP_RENAME:
		describe(rep, op->differs & ~VT_D_NAME, &w->links, what, sizeof(what));
		printf("> rename %s -> %s%s%s", op->before->name, op->after.link.name,
		       what[0] ? ": " : "", what);
		break;
	case VT_OP_RECREATE:
		describe(rep, op->differs, &w->links, what, sizeof(what));
		printf("\u00b1 recreate %s: %s", op->before->name, what);
		break;
	}
	print_op_netns(w, op, rep);
	if (verbosity > 0)
		printf("  [trunk %s]", trunk);
	putchar('\n');
}

void vt_text_plan(int verbosity, const struct vt_world *w)
{
	const struct vt_plan *plan = &w->plan;
	size_t stuck = 0;

	for (size_t i = 0; i < plan->n_ops; i++)
		print_op(verbosity, w, &plan->ops[i]);
	for (size_t i = 0; i < plan->n_effects; i++) {
		const struct vt_effect *e = &plan->effects[i];

		if (e->rollback)
			continue;
		printf("= the kernel %s %s", vt_plan_effects_kind_name(e->kind), e->link->name);
		if (e->kind == VT_EFFECT_MTU)
			printf(" to %u", e->mtu);
		printf(" (with %s)%s\n", e->cause->name,
		       e->kind == VT_EFFECT_UP && e->restate ? "; set down again" : "");
	}
	for (size_t i = 0; i < plan->n_trunks; i++) {
		const struct vt_trunk_report *r = &plan->trunks[i];

		if (r->can_converge)
			continue;
		stuck++;
		printf("! trunk %s: %s: %s\n", r->name, vt_trunk_status_name(r->status), r->reason);
	}
	if (verbosity < 0)
		return;
	if (!plan->n_ops && !stuck)
		printf("In sync: nothing to do.\n");
	else
		printf("%zu operation%s pending%s", plan->n_ops, plan->n_ops == 1 ? "" : "s",
		       stuck ? "; " : ".\n");
	if (stuck)
		printf("%zu trunk%s cannot converge.\n", stuck, stuck == 1 ? "" : "s");
}

static void print_subport(const struct vt_world *w, const struct vt_subport_report *rep)
{
	char proto[24], what[1024] = "";

	snprintf(proto, sizeof(proto), "%s %u", vt_protocol_name(rep->want->protocol),
		 rep->want->vlan);
	if (rep->state == VT_SP_DIFFERS || rep->state == VT_SP_ADOPTABLE)
		describe(rep, rep->differs, &w->links, what, sizeof(what));
	else if (rep->reason)
		snprintf(what, sizeof(what), "%s", rep->reason);
	printf("  %-15s %-12s %s%s%s%s%s%s\n", rep->want->name, proto,
	       vt_subport_state_name(rep->state), what[0] ? ": " : "", what,
	       rep->want->netns ? " (netns " : "", rep->want->netns ? rep->want->netns : "",
	       rep->want->netns ? ")" : "");
}

void vt_text_status(int verbosity, const struct vt_world *w)
{
	const struct vt_plan *plan = &w->plan;

	for (size_t i = 0; i < plan->n_trunks; i++) {
		const struct vt_trunk_report *r = &plan->trunks[i];

		printf("%s %s", r->name, vt_trunk_status_name(r->status));
		/* A parent named by an altname: which device that is. */
		if (r->want && r->parent_device && strcmp(r->parent_device, r->want->parent))
			printf(" (parent %s (%s), %zu subport%s)", r->want->parent, r->parent_device,
			       r->n_subports, r->n_subports == 1 ? "" : "s");
		else if (r->want)
			printf(" (parent %s, %zu subport%s)", r->want->parent, r->n_subports,
			       r->n_subports == 1 ? "" : "s");
		printf("%s%s\n", r->reason[0] ? ": " : "", r->reason);
		if (verbosity < 0)
			continue;
		for (size_t j = 0; j < r->n_subports; j++)
			print_subport(w, &r->subports[j]);
	}
	if (!plan->n_trunks && verbosity >= 0)
		printf("No trunks desired.\n");
}

void vt_text_run(int verbosity, const char *state_dir, const struct vt_run *run)
{
	const struct vt_plan *plan = &run->world.plan;

	for (size_t i = 0; i < plan->n_trunks; i++) {
		struct vt_trunk_outcome o;

		vt_run_outcome(run, i, &o);
		if (!o.txn && o.status == VT_TRUNK_ACTIVE && verbosity <= 0)
			continue;
		printf("%s: %s", plan->trunks[i].name, vt_trunk_status_name(o.status));
		if (o.txn && o.txn->outcome == VT_TXN_APPLIED && o.ops)
			printf(": %zu operation%s applied", o.ops, o.ops == 1 ? "" : "s");
		else if (o.txn && o.txn->outcome != VT_TXN_APPLIED)
			printf(": failed, %s (%zu request%s undone)",
			       o.txn->outcome == VT_TXN_ROLLED_BACK ? "rolled back" : "ROLLBACK INCOMPLETE",
			       o.txn->rolled_back, o.txn->rolled_back == 1 ? "" : "s");
		if (o.reason[0])
			printf(": %s", o.reason);
		if (o.txn && o.txn->outcome == VT_TXN_ROLLBACK_INCOMPLETE)
			printf("; cause: %s", o.txn->error);
		putchar('\n');
	}
	if (verbosity < 0)
		return;
	switch (run->exit_code) {
	case VT_EXIT_OK: printf("In sync: nothing to do.\n"); break;
	case VT_EXIT_CHANGED: printf("Converged.\n"); break;
	case VT_EXIT_ROLLBACK_INCOMPLETE:
		printf("Rollback incomplete: the journal in %s is kept; the next run retries.\n",
		       state_dir);
		break;
	default: printf("Not converged; nothing half-applied was left.\n");
	}
}

static void print_link(const struct vt_link *l, const struct vt_link_table *t)
{
	const struct vt_link *parent = vt_link_table_parent(t, l);
	const struct vt_netns_name *ns = l->ns ? vt_link_table_netns_slot(t, l->ns) : NULL;

	printf("%-4d %-15s %-8s %-4s mtu %-5u", l->ifindex, l->name,
	       l->kind[0] ? l->kind : "-", l->up ? "up" : "down", l->mtu);
	if (ns)
		printf(" netns %s", ns->path);
	if (l->is_vlan)
		printf(" %s %u on %s", vt_protocol_name(l->vlan.protocol) ?: "?", l->vlan.id,
		       parent ? parent->name : "?");
	if (l->ipv6.present)
		printf(" ipv6 %s%s", vt_addr_gen_mode_name(l->ipv6.addr_gen_mode) ?: "?",
		       l->ipv6.disabled ? " disabled" : "");
	if (vt_link_alias(l)[0])
		printf(" alias \"%s\"", vt_link_alias(l));
	/* As `ip link` shows them: one "altname X" each. */
	for (size_t i = 0; i < l->n_altnames; i++)
		printf(" altname %s", l->altnames[i]);
	putchar('\n');
}

void vt_text_links(const struct vt_link_table *table)
{
	for (size_t i = 0; i < table->n; i++)
		print_link(&table->links[i], table);
}
