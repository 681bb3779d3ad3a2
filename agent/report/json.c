/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --json: one document on stdout per command; keys are stable (see vlantrunk(8)). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report.h"

/*
 * A JSON string of text that may hold the kernel's bytes: interface names
 * and aliases need not be UTF-8, and json_pack() fails on what is not,
 * silently dropping the whole entry from the document. Bytes that are not
 * part of valid UTF-8 become the four characters "\xNN". NULL gives NULL.
 */
json_t *vt_json_text(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;
	size_t len, off = 0;
	char *buf;

	if (v || !s)
		return v;
	len = strlen(s);
	buf = malloc(len * 4 + 1);
	if (!buf)
		return NULL;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
			   c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		/* jansson judges one character: overlong forms, surrogates and all. */
		json_t *ch = n > 1 && i + n <= len ? json_stringn(s + i, n) : NULL;

		if (n == 1 || ch) {
			memcpy(buf + off, s + i, n);
			off += n;
			i += n;
		} else {
			off += (size_t)sprintf(buf + off, "\\x%02x", c);
			i++;
		}
		json_decref(ch);
	}
	v = json_stringn(buf, off);
	free(buf);
	return v;
}

static json_t *changes(const struct vt_subport_report *rep, uint32_t differs,
		       const struct vt_link_table *links)
{
	json_t *list = json_array();

	for (uint32_t bit = 1; bit; bit <<= 1) {
		char old[160], want[160];

		if (!(differs & bit))
			continue;
		vt_diff_values((enum vt_diff)bit, rep, links, old, want, sizeof(old));
		json_array_append_new(list, json_pack("{s:s, s:o, s:o}",
						      "field", vt_diff_name((enum vt_diff)bit),
						      "old", vt_json_text(old), "new", vt_json_text(want)));
	}
	return list;
}

/* A device's namespace: null for vlantrunk's own, else the file that names it. */
static json_t *netns_json(const struct vt_link_table *links, uint16_t ns)
{
	const struct vt_netns_name *n = ns ? vt_link_table_netns_slot(links, ns) : NULL;

	return n ? vt_json_text(n->path) : json_null();
}

static json_t *subport_json(const struct vt_subport_report *rep, const struct vt_link_table *links)
{
	return json_pack("{s:s, s:o, s:i, s:s, s:s, s:o, s:o}",
			 "name", rep->want->name,
			 /* as written in the desired state */
			 "netns", rep->want->netns ? vt_json_text(rep->want->netns) : json_null(),
			 "vlan", rep->want->vlan,
			 "protocol", vt_protocol_name(rep->want->protocol),
			 "state", vt_subport_state_name(rep->state),
			 "changes", changes(rep, rep->differs, links),
			 "reason", vt_json_text(rep->reason ? rep->reason : ""));
}

/*
 * A trunk's object but its "subports", which come last: the streamed reply
 * writes them one by one after these members.
 */
static json_t *trunk_head_json(const struct vt_trunk_report *r)
{
	return json_pack("{s:o, s:s, s:o, s:b, s:o, s:o, s:b}",
			 "name", vt_json_text(r->name),
			 "status", vt_trunk_status_name(r->status),
			 "reason", vt_json_text(r->reason),
			 "desired", r->want != NULL,
			 "parent", r->want ? vt_json_text(r->want->parent) : json_null(),
			 /* the device the parent names: itself, or the one with that altname */
			 "parent_device", r->parent_device ? vt_json_text(r->parent_device) : json_null(),
			 "can_converge", r->can_converge);
}

static json_t *op_json(const struct vt_world *w, const struct vt_op *op)
{
	const struct vt_trunk_report *r = &w->plan.trunks[op->trunk];
	const struct vt_subport_report *rep = op->subport == SIZE_MAX ? NULL : &r->subports[op->subport];
	const struct vt_link *dev = op->before;
	json_t *o = json_pack("{s:s, s:o, s:o}", "op", vt_op_kind_name(op->kind),
			      "trunk", vt_json_text(r->name), "device", vt_json_text(dev ? dev->name : op->after.link.name));

	if (op->kind == VT_OP_CREATE || op->kind == VT_OP_RECREATE) {
		json_object_set_new(o, "parent", json_string(op->parent_name));
		json_object_set_new(o, "vlan", json_integer(op->after.link.vlan.id));
		json_object_set_new(o, "protocol",
				    json_string(vt_protocol_name(op->after.link.vlan.protocol)));
	}
	if (op->kind == VT_OP_RENAME)
		json_object_set_new(o, "new_name", json_string(op->after.link.name));
	/* where the device is once done (a delete: where it was) */
	json_object_set_new(o, "netns", rep && rep->want->netns ? vt_json_text(rep->want->netns) :
				   netns_json(&w->links, dev ? dev->ns : VT_NS_OWN));
	json_object_set_new(o, "changes", rep ? changes(rep, op->differs, &w->links) : json_array());
	return o;
}

void vt_json_print(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
}

static json_t *subports_json(const struct vt_trunk_report *r, const struct vt_link_table *links)
{
	json_t *subports = json_array();

	for (size_t i = 0; i < r->n_subports; i++)
		json_array_append_new(subports, subport_json(&r->subports[i], links));
	return subports;
}

static json_t *trunks_json(const struct vt_world *w, bool *stuck)
{
	json_t *trunks = json_array();

	*stuck = false;
	for (size_t i = 0; i < w->plan.n_trunks; i++) {
		const struct vt_trunk_report *r = &w->plan.trunks[i];

		json_t *t = trunk_head_json(r);

		json_object_set_new(t, "subports", subports_json(r, &w->links));
		json_array_append_new(trunks, t);
		*stuck |= !r->can_converge;
	}
	return trunks;
}

/* What the kernel does by itself as the operations take effect. */
static json_t *effect_json(const struct vt_world *w, const struct vt_effect *e)
{
	static const char *const kinds[] = {
		[VT_EFFECT_UP] = "up", [VT_EFFECT_DOWN] = "down", [VT_EFFECT_MTU] = "mtu",
	};
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "kind", kinds[e->kind], "device", e->link->name,
			      "cause", e->cause->name, "trunk", w->plan.trunks[e->trunk].name);

	if (e->kind == VT_EFFECT_UP)
		json_object_set_new(o, "set_down_again", json_boolean(e->restate));
	if (e->kind == VT_EFFECT_MTU)
		json_object_set_new(o, "mtu", json_integer(e->mtu));
	return o;
}

void vt_json_print_plan(const struct vt_world *w)
{
	json_t *ops = json_array(), *effects = json_array();
	json_t *trunks;
	bool stuck;

	for (size_t i = 0; i < w->plan.n_ops; i++)
		json_array_append_new(ops, op_json(w, &w->plan.ops[i]));
	for (size_t i = 0; i < w->plan.n_effects; i++)
		if (!w->plan.effects[i].rollback)
			json_array_append_new(effects, effect_json(w, &w->plan.effects[i]));
	trunks = trunks_json(w, &stuck);
	vt_json_print(json_pack("{s:s, s:s, s:o, s:o, s:o}", "command", "plan",
		       "result", stuck ? "cannot_converge" : w->plan.n_ops ? "changes_pending" : "in_sync",
		       "operations", ops, "kernel_effects", effects, "trunks", trunks));
}

json_t *vt_json_status(const struct vt_world *w)
{
	bool stuck;

	return json_pack("{s:s, s:o}", "command", "status", "trunks", trunks_json(w, &stuck));
}

void vt_json_print_status(const struct vt_world *w)
{
	vt_json_print(vt_json_status(w));
}

void vt_json_print_error(const char *command, const char *what, const char *hint,
			 const struct vt_diags *diags)
{
	json_t *list = json_array();

	for (size_t i = 0; diags && i < diags->n; i++) {
		const struct vt_diag *d = &diags->v[i];

		json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:o, s:i, s:i, s:o}",
						      "file", vt_json_text(d->file), "trunk", vt_json_text(d->trunk),
						      "subport", vt_json_text(d->subport), "field", vt_json_text(d->field),
						      "line", d->line, "column", d->column,
						      "message", vt_json_text(d->message)));
	}
	vt_json_print(json_pack("{s:s, s:o, s:o?, s:o}", "command", command, "error", vt_json_text(what), "hint", vt_json_text(hint),
		       "diagnostics", list));
}

static const char *result_name(int code)
{
	switch (code) {
	case VT_EXIT_OK: return "in_sync";
	case VT_EXIT_CHANGED: return "changed";
	case VT_EXIT_ROLLBACK_INCOMPLETE: return "rollback_incomplete";
	default: return "not_converged";
	}
}

json_t *vt_json_run(const struct vt_run *run)
{
	const struct vt_plan *plan = &run->world.plan;
	json_t *trunks = json_array();

	for (size_t i = 0; i < plan->n_trunks; i++) {
		const struct vt_trunk_report *r = &plan->trunks[i];
		struct vt_trunk_outcome o;
		json_t *errors = json_array();
		const struct vt_txn *t;

		vt_run_outcome(run, i, &o);
		t = o.txn;
		if (t && t->outcome != VT_TXN_APPLIED)
			json_array_append_new(errors, vt_json_text(t->error));
		if (t && t->remains[0])
			json_array_append_new(errors, vt_json_text(t->remains));
		if (!r->can_converge)
			json_array_append_new(errors, vt_json_text(r->reason));
		else if (!t && o.ops && run->refused[0])
			json_array_append_new(errors, vt_json_text(run->refused));
		json_array_append_new(trunks, json_pack("{s:o, s:s, s:o, s:s, s:I, s:I, s:I, s:I, s:o}",
			"name", vt_json_text(r->name), "status", vt_trunk_status_name(o.status),
			"reason", vt_json_text(o.reason),
			"outcome", t ? vt_txn_outcome_name(t->outcome) :
				   r->can_converge && !(o.ops && run->refused[0]) ? "unchanged" : "skipped",
			"operations", (json_int_t)o.ops,
			"operations_applied", (json_int_t)(t && t->outcome == VT_TXN_APPLIED ? o.ops : 0),
			"requests_applied", (json_int_t)(t ? t->applied : 0),
			"requests_rolled_back", (json_int_t)(t ? t->rolled_back : 0),
			"errors", errors));
	}
	return json_pack("{s:s, s:s, s:s?, s:o}", "command", run->command,
			 "result", result_name(run->exit_code), "recovered_transaction",
			 run->world.recovered ? run->world.recovered_id : NULL, "trunks", trunks);
}

json_t *vt_json_links(const struct vt_link_table *table)
{
	json_t *list = json_array();

	for (size_t i = 0; i < table->n; i++) {
		const struct vt_link *l = &table->links[i];
		json_t *altnames = json_array();
		json_t *o;

		for (size_t k = 0; k < l->n_altnames; k++)
			json_array_append_new(altnames, vt_json_text(l->altnames[k]));
		o = json_pack("{s:i, s:o, s:s, s:b, s:I, s:i, s:i, s:o, s:o}", "ifindex",
			      l->ifindex, "name", vt_json_text(l->name), "kind", l->kind,
			      "up", l->up, "mtu", (json_int_t)l->mtu, "parent", l->parent,
			      "master", l->master, "alias", vt_json_text(vt_link_alias(l)),
			      "altnames", altnames);

		json_object_set_new(o, "netns", netns_json(table, l->ns));
		if (l->parent && l->parent_ns != l->ns)
			json_object_set_new(o, "parent_netns", netns_json(table, l->parent_ns));
		if (l->is_vlan)
			json_object_set_new(o, "vlan", json_pack("{s:i, s:s}", "id", l->vlan.id,
								 "protocol", vt_protocol_name(l->vlan.protocol) ?: "?"));
		/* null: no IPv6 state (an MTU below 1280, or no IPv6 in the kernel) */
		json_object_set_new(o, "ipv6", !l->ipv6.present ? json_null() :
				    json_pack("{s:s, s:b}", "addr_gen_mode",
					      vt_addr_gen_mode_name(l->ipv6.addr_gen_mode) ?: "?",
					      "disable_ipv6", l->ipv6.disabled));
		json_array_append_new(list, o);
	}
	return json_pack("{s:s, s:o}", "command", "links", "links", list);
}

/*
 * The status reply streamed: jansson's own layout (DUMP_FLAGS), written
 * piece by piece through a buffer, so that neither the document's text
 * (3.4 MB at 4 x 4094 subports) nor its tree (a jansson object per member,
 * several times the text) is ever whole in memory. Each leaf is still
 * dumped by jansson, and the layout around it is what jansson writes: a
 * member or an element on a new line at two spaces per depth, "," after all
 * but the last, "[]" for an empty array.
 */
#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)
#define STREAM_BUF (64 * 1024)

struct stream {
	vt_json_write_fn *write;
	void *arg;
	char buf[STREAM_BUF];
	size_t len;
	char *dump;		/* one leaf's dump, reused */
	size_t dump_cap;
	int err;
};

static void flush(struct stream *s)
{
	if (!s->err && s->len)
		s->err = s->write(s->arg, s->buf, s->len);
	s->len = 0;
}

static void put(struct stream *s, const char *text, size_t len)
{
	while (len && !s->err) {
		size_t n = STREAM_BUF - s->len < len ? STREAM_BUF - s->len : len;

		memcpy(s->buf + s->len, text, n);
		s->len += n;
		text += n;
		len -= n;
		if (s->len == STREAM_BUF)
			flush(s);
	}
}

static void put_str(struct stream *s, const char *text)
{
	put(s, text, strlen(text));
}

/* A line break and the indentation of @depth. */
static void newline(struct stream *s, int depth)
{
	put(s, "\n", 1);
	for (int i = 0; i < depth; i++)
		put(s, "  ", 2);
}

/*
 * @v (taken; NULL is out of memory) as jansson dumps it @depth deep: its own
 * dump, every line break in it followed by @depth's indentation (a string's
 * line breaks are escaped: each one in a dump is layout). @flags may add
 * JSON_EMBED, which leaves out an object's braces; @last false then drops the
 * line break that ends its last member, for more members to follow.
 */
static void put_value(struct stream *s, json_t *v, int depth, size_t flags, bool last)
{
	size_t n = v ? json_dumpb(v, NULL, 0, DUMP_FLAGS | JSON_ENCODE_ANY | flags) : 0;
	size_t from = 0;

	if (!n && !s->err)
		s->err = -ENOMEM;
	if (n > s->dump_cap && !s->err) {
		char *dump = realloc(s->dump, n);

		if (dump) {
			s->dump = dump;
			s->dump_cap = n;
		} else {
			s->err = -ENOMEM;
		}
	}
	if (!s->err)
		json_dumpb(v, s->dump, n, DUMP_FLAGS | JSON_ENCODE_ANY | flags);
	json_decref(v);
	if (s->err)
		return;
	if (!last && n && s->dump[n - 1] == '\n')
		n--;
	for (size_t i = 0; i < n; i++) {
		if (s->dump[i] != '\n')
			continue;
		put(s, s->dump + from, i - from);
		newline(s, depth);
		from = i + 1;
	}
	put(s, s->dump + from, n - from);
}

static void put_trunk(struct stream *s, const struct vt_trunk_report *r,
		      const struct vt_link_table *links, int depth)
{
	put_str(s, "{");
	put_value(s, trunk_head_json(r), depth, JSON_EMBED, false);
	put_str(s, ",");
	newline(s, depth + 1);
	put_str(s, "\"subports\": ");
	if (!r->n_subports)
		put_str(s, "[]");
	for (size_t i = 0; i < r->n_subports; i++) {
		put_str(s, i ? "," : "[");
		newline(s, depth + 2);
		put_value(s, subport_json(&r->subports[i], links), depth + 2, 0, true);
	}
	if (r->n_subports) {
		newline(s, depth + 1);
		put_str(s, "]");
	}
	newline(s, depth);
	put_str(s, "}");
}

int vt_json_write_status(const struct vt_world *w, json_t *more, vt_json_write_fn *write,
			 void *arg)
{
	struct stream *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		json_decref(more);
		return -ENOMEM;
	}
	s->write = write;
	s->arg = arg;
	/* As vt_json_status() builds it: "command", "trunks", then @more's members. */
	put_str(s, "{");
	put_value(s, json_pack("{s:s}", "command", "status"), 0, JSON_EMBED, false);
	put_str(s, ",");
	newline(s, 1);
	put_str(s, "\"trunks\": ");
	if (!w->plan.n_trunks)
		put_str(s, "[]");
	for (size_t i = 0; i < w->plan.n_trunks; i++) {
		put_str(s, i ? "," : "[");
		newline(s, 2);
		put_trunk(s, &w->plan.trunks[i], &w->links, 2);
	}
	if (w->plan.n_trunks) {
		newline(s, 1);
		put_str(s, "]");
	}
	if (more && json_object_size(more)) {
		put_str(s, ",");
		put_value(s, more, 0, JSON_EMBED, true);
	} else {
		json_decref(more);
		newline(s, 0);
	}
	put_str(s, "}");
	flush(s);
	ret = s->err;
	free(s->dump);
	free(s);
	return ret;
}

int vt_json_write(json_t *doc, vt_json_write_fn *write, void *arg)
{
	char *text = doc ? json_dumps(doc, DUMP_FLAGS) : NULL;
	int ret = text ? write(arg, text, strlen(text)) : -ENOMEM;

	free(text);
	json_decref(doc);
	return ret;
}
