/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The desired-state loader: every rule of SPEC.md's "Desired state", valid
 * and invalid, from memory and from files and directories.
 *
 * JSON in this file is written with ' for " so that it stays readable; the
 * helpers turn it back into JSON.
 */
#define _GNU_SOURCE		/* nftw's FTW_DEPTH, FTW_PHYS */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "desired/desired_internal.h"	/* vt_desired_netns_problem() */
#include "suites.h"
#include "vt_desired.h"

#define DOC(trunks) "{'version':1,'trunks':[" trunks "]}"
/* A document with one trunk "t" on eth0, holding one subport "sp" with @fields. */
#define ONE_SUB(fields) \
	DOC("{'name':'t','parent':'eth0','subports':[{'name':'sp'," fields "}]}")
#define V101 "'vlan':101"
#define SP0 "trunks[0].subports[0]."
/* 127 bytes: the longest altname (ALTIFNAMSIZ - 1). */
#define ALT127 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-an-altname-127-bytes-longz"

static struct vt_desired desired;
static struct vt_diags diags;
static char tmpdir[64];

static void setup(void)
{
	memset(&desired, 0, sizeof(desired));
	memset(&diags, 0, sizeof(diags));
	tmpdir[0] = '\0';
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	vt_desired_free(&desired);
	vt_diag_free(&diags);
	if (tmpdir[0])
		nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* @text with every ' turned into ", in a new string. */
static char *to_json(const char *text)
{
	char *json = strdup(text);

	ck_assert_ptr_nonnull(json);
	for (char *c = json; *c; c++)
		if (*c == '\'')
			*c = '"';
	return json;
}

static int parse(const char *text)
{
	char *json = to_json(text);
	int ret = vt_desired_parse(json, strlen(json), "test.json", &desired, &diags);

	free(json);
	return ret;
}

/* Every diagnostic, formatted, for failure messages. */
static const char *all_diags(void)
{
	static char text[4096];
	size_t off = 0;

	text[0] = '\0';
	for (size_t i = 0; i < diags.n && off + 2 < sizeof(text); i++) {
		char line[1024];

		vt_diag_format(&diags.v[i], line, sizeof(line));
		off += (size_t)snprintf(text + off, sizeof(text) - off, "\n  %s", line);
	}
	return text;
}

static void expect_valid(const char *text)
{
	int ret = parse(text);

	ck_assert_msg(ret == 0, "ret %d for %s:%s", ret, text, all_diags());
	ck_assert_uint_eq(diags.n, 0);
}

static const struct vt_diag *find_diag(const char *field)
{
	for (size_t i = 0; i < diags.n; i++)
		if (!strcmp(diags.v[i].field, field))
			return &diags.v[i];
	return NULL;
}

/* An invalid state: -EINVAL, nothing handed out, and @field's diagnostic says @words. */
static void expect_diag(const char *field, const char *words)
{
	const struct vt_diag *diag = find_diag(field);

	ck_assert_msg(diag, "no diagnostic for \"%s\"; got:%s", field, all_diags());
	ck_assert_msg(strstr(diag->message, words), "\"%s\" does not say \"%s\"",
		      diag->message, words);
}

static void expect_invalid(int ret)
{
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_uint_eq(desired.n_trunks, 0);
	ck_assert_ptr_null(desired.trunks);
	ck_assert_uint_eq(desired.n_files, 0);
	ck_assert_ptr_null(desired.files);
}

/* Exactly one problem, at @field, saying @words. */
static void expect_one_problem(const char *text, const char *field, const char *words)
{
	int ret = parse(text);

	expect_invalid(ret);
	ck_assert_msg(diags.n == 1, "%zu diagnostics for %s:%s", diags.n, text, all_diags());
	expect_diag(field, words);
}

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vt-desired-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Write @text (with ' for ") to @name in the temporary directory; the path in @path. */
static void write_file(const char *name, const char *text, char *path, size_t size)
{
	char *json = to_json(text);
	char local[256];
	FILE *f;

	if (!path) {
		path = local;
		size = sizeof(local);
	}
	snprintf(path, size, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(json, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	free(json);
}

/* A document whose only trunk is @name on @parent with one subport @sub at @vlan. */
static char *trunk_doc(const char *name, const char *parent, const char *sub, int vlan)
{
	char *text;

	ck_assert_int_ne(asprintf(&text, DOC("{'name':'%s','parent':'%s','subports':"
					     "[{'name':'%s','vlan':%d}]}"),
				  name, parent, sub, vlan), -1);
	return text;
}

/* ---- valid documents ---------------------------------------------------- */

static const char spec_example[] =
	"{\n"
	"  'version': 1,\n"
	"  'trunks': [\n"
	"    {\n"
	"      'name': 'vm-42',\n"
	"      'parent': 'tap4f2a9c1e-07',\n"
	"      'admin_state_up': true,\n"
	"      'subports': [\n"
	"        { 'name': 'sp4f2a9c1e-07', 'vlan': 101 },\n"
	"        { 'name': 'svc-200', 'vlan': 200, 'protocol': '802.1ad',\n"
	"          'mtu': 1496, 'mac': '02:00:00:00:00:c8', 'up': true, 'master': 'br-200',\n"
	"          'reorder_hdr': true, 'gvrp': false, 'mvrp': false,\n"
	"          'loose_binding': false, 'bridge_binding': false,\n"
	"          'egress_qos': { '5': 5 }, 'ingress_qos': { '3': 4 } }\n"
	"      ]\n"
	"    }\n"
	"  ]\n"
	"}\n";

START_TEST(test_spec_example)
{
	const struct vt_trunk *trunk;
	const struct vt_subport *plain, *full;
	static const uint8_t mac[VT_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0xc8 };

	expect_valid(spec_example);
	ck_assert_uint_eq(desired.n_trunks, 1);
	ck_assert_uint_eq(desired.n_files, 1);
	ck_assert_str_eq(desired.files[0], "test.json");
	trunk = &desired.trunks[0];
	ck_assert_str_eq(trunk->name, "vm-42");
	ck_assert_str_eq(trunk->parent, "tap4f2a9c1e-07");
	ck_assert(trunk->admin_state_up);
	ck_assert_ptr_eq(trunk->file, desired.files[0]);
	ck_assert_int_eq(trunk->outer, -1);
	ck_assert_uint_eq(trunk->depth, 0);
	ck_assert_uint_eq(trunk->n_subports, 2);

	plain = &trunk->subports[0];
	ck_assert_str_eq(plain->name, "sp4f2a9c1e-07");
	ck_assert_uint_eq(plain->vlan, 101);
	ck_assert_uint_eq(plain->managed, 0);

	full = &trunk->subports[1];
	ck_assert_str_eq(full->name, "svc-200");
	ck_assert_uint_eq(full->vlan, 200);
	ck_assert_uint_eq(full->protocol, VT_PROTO_8021AD);
	ck_assert_uint_eq(full->managed, VT_SP_MTU | VT_SP_MAC | VT_SP_MASTER);
	ck_assert_uint_eq(full->mtu, 1496);
	ck_assert_mem_eq(full->mac, mac, VT_MAC_LEN);
	ck_assert_str_eq(full->master, "br-200");
	ck_assert(full->up);
	ck_assert_uint_eq(full->vlan_flags, VT_VLAN_REORDER_HDR);
	ck_assert_uint_eq(full->n_egress, 1);
	ck_assert_uint_eq(full->egress[0].from, 5);
	ck_assert_uint_eq(full->egress[0].to, 5);
	ck_assert_uint_eq(vt_subport_ingress(full, 3), 4);
	ck_assert_uint_eq(vt_subport_ingress(full, 2), 0);
}
END_TEST

START_TEST(test_defaults)
{
	const struct vt_subport *subport;

	expect_valid(ONE_SUB(V101));
	ck_assert(desired.trunks[0].admin_state_up);
	subport = &desired.trunks[0].subports[0];
	ck_assert_uint_eq(subport->protocol, VT_PROTO_8021Q);
	ck_assert(subport->up);
	ck_assert(!subport->adopt);
	ck_assert(!subport->ipv6);
	ck_assert_ptr_null(subport->netns);
	ck_assert_uint_eq(subport->vlan_flags, VT_VLAN_REORDER_HDR);
	ck_assert_uint_eq(subport->managed, 0);
	ck_assert_uint_eq(subport->n_egress, 0);
	ck_assert_ptr_null(subport->egress);
	for (int pcp = 0; pcp <= VT_PCP_MAX; pcp++)
		ck_assert_uint_eq(vt_subport_ingress(subport, pcp), 0);
}
END_TEST

START_TEST(test_booleans_set)
{
	const struct vt_subport *subport;

	expect_valid(DOC("{'name':'t','parent':'eth0','admin_state_up':false,'subports':"
			 "[{'name':'sp','vlan':1,'up':false,'adopt':true,'ipv6':true},"
			 "{'name':'sq','vlan':2,'ipv6':false}]}"));
	ck_assert(!desired.trunks[0].admin_state_up);
	subport = &desired.trunks[0].subports[0];
	ck_assert(!subport->up);
	ck_assert(subport->adopt);
	ck_assert(subport->ipv6);
	ck_assert(!desired.trunks[0].subports[1].ipv6);
}
END_TEST

static const struct {
	const char *fields;
	uint32_t flags;
} flag_cases[] = {
	{ V101 ",'reorder_hdr':false", 0 },
	{ V101 ",'reorder_hdr':true", VT_VLAN_REORDER_HDR },
	{ V101 ",'gvrp':true", VT_VLAN_REORDER_HDR | VT_VLAN_GVRP },
	{ V101 ",'mvrp':true", VT_VLAN_REORDER_HDR | VT_VLAN_MVRP },
	{ V101 ",'loose_binding':true", VT_VLAN_REORDER_HDR | VT_VLAN_LOOSE_BINDING },
	{ V101 ",'bridge_binding':true", VT_VLAN_REORDER_HDR | VT_VLAN_BRIDGE_BINDING },
	{ V101 ",'gvrp':false,'mvrp':false,'loose_binding':false,'bridge_binding':false",
	  VT_VLAN_REORDER_HDR },
	{ V101 ",'reorder_hdr':false,'gvrp':true,'mvrp':true,'loose_binding':true,"
	  "'bridge_binding':true", VT_VLAN_FLAGS_ALL & ~VT_VLAN_REORDER_HDR },
};

START_TEST(test_vlan_flags)
{
	char *text;

	ck_assert_int_ne(asprintf(&text, ONE_SUB("%s"), flag_cases[_i].fields), -1);
	expect_valid(text);
	free(text);
	ck_assert_uint_eq(desired.trunks[0].subports[0].vlan_flags, flag_cases[_i].flags);
}
END_TEST

/* Documents that must be accepted: each boundary from the valid side. */
static const char *const valid_cases[] = {
	ONE_SUB("'vlan':1"),
	ONE_SUB("'vlan':4094"),
	ONE_SUB(V101 ",'mtu':68"),
	ONE_SUB(V101 ",'mtu':65535"),
	ONE_SUB(V101 ",'protocol':'802.1Q'"),
	ONE_SUB(V101 ",'protocol':'802.1ad'"),
	ONE_SUB(V101 ",'mac':'02:AB:cd:Ef:00:01'"),
	ONE_SUB(V101 ",'mac':'fe:ff:ff:ff:ff:ff'"),
	ONE_SUB(V101 ",'master':'br0'"),
	ONE_SUB(V101 ",'egress_qos':{}"),
	ONE_SUB(V101 ",'egress_qos':{'4294967295':7,'0':1}"),
	/* leading zeros are still plain decimal digits */
	ONE_SUB(V101 ",'egress_qos':{'01':2,'0000000000004294967295':3}"),
	ONE_SUB(V101 ",'ingress_qos':{'0':0,'7':4294967295}"),
	ONE_SUB(V101 ",'ingress_qos':{}"),
	DOC("{'name':'t','parent':'eth0','subports':[{'name':'fifteen-bytes15','vlan':1}]}"),
	DOC("{'name':'t','parent':'...','subports':[{'name':'a.b-c_d@e','vlan':1}]}"),
	DOC("{'name':'a','parent':'eth0'}"),
	DOC("{'name':'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',"
	    "'parent':'eth0'}"),
	DOC("{'name':'vm-42_x.Y','parent':'eth0','subports':[]}"),
	/* a parent may be an altname: up to ALTIFNAMSIZ - 1 bytes */
	DOC("{'name':'t','parent':'enx525400123456','subports':[]}"),
	DOC("{'name':'t','parent':'" ALT127 "','subports':[]}"),
	"{'trunks':[],'version':1}",
	" \n\t{'version':1,'trunks':[]} \n",
};

START_TEST(test_valid_boundaries)
{
	expect_valid(valid_cases[_i]);
}
END_TEST

/* ---- one problem each ----------------------------------------------------- */

static const struct {
	const char *text;
	const char *field;
	const char *words;
} problem_cases[] = {
	/* types, strictly */
	{ ONE_SUB("'vlan':'101'"), SP0 "vlan", "must be an integer, not a string" },
	{ ONE_SUB("'vlan':true"), SP0 "vlan", "must be an integer, not true" },
	{ ONE_SUB("'vlan':101.0"), SP0 "vlan", "not a number with a fraction" },
	{ ONE_SUB("'vlan':1e2"), SP0 "vlan", "not a number with a fraction" },
	{ ONE_SUB("'vlan':null"), SP0 "vlan", "not null" },
	{ ONE_SUB("'vlan':[101]"), SP0 "vlan", "not an array" },
	{ ONE_SUB(V101 ",'mtu':'1500'"), SP0 "mtu", "must be an integer" },
	{ ONE_SUB(V101 ",'up':1"), SP0 "up", "must be true or false, not an integer" },
	{ ONE_SUB(V101 ",'adopt':'true'"), SP0 "adopt", "must be true or false, not a string" },
	{ ONE_SUB(V101 ",'ipv6':'false'"), SP0 "ipv6", "must be true or false, not a string" },
	{ ONE_SUB(V101 ",'ipv6':0"), SP0 "ipv6", "must be true or false, not an integer" },
	{ ONE_SUB(V101 ",'ipv6':null"), SP0 "ipv6", "must be true or false, not null" },
	{ ONE_SUB(V101 ",'reorder_hdr':0"), SP0 "reorder_hdr", "must be true or false" },
	{ ONE_SUB(V101 ",'gvrp':null"), SP0 "gvrp", "must be true or false" },
	{ ONE_SUB(V101 ",'mvrp':'false'"), SP0 "mvrp", "must be true or false" },
	{ ONE_SUB(V101 ",'loose_binding':{}"), SP0 "loose_binding", "must be true or false" },
	{ ONE_SUB(V101 ",'bridge_binding':1.5"), SP0 "bridge_binding", "must be true or false" },
	{ ONE_SUB(V101 ",'protocol':8021"), SP0 "protocol", "must be a string" },
	{ ONE_SUB(V101 ",'mac':2"), SP0 "mac", "must be a string" },
	{ ONE_SUB(V101 ",'master':['br0']"), SP0 "master", "must be a string" },
	{ ONE_SUB(V101 ",'egress_qos':[]"), SP0 "egress_qos", "must be an object" },
	{ ONE_SUB(V101 ",'ingress_qos':'3:4'"), SP0 "ingress_qos", "must be an object" },
	{ ONE_SUB(V101 ",'egress_qos':{'5':'5'}"), SP0 "egress_qos.\"5\"", "must be an integer" },
	{ ONE_SUB(V101 ",'ingress_qos':{'3':true}"), SP0 "ingress_qos.\"3\"",
	  "must be an integer" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'name':5,'vlan':1}]}"), SP0 "name",
	  "must be a string" },
	{ DOC("{'name':'t','parent':'eth0','subports':['sp']}"), "trunks[0].subports[0]",
	  "must be an object, not a string" },
	{ DOC("{'name':5,'parent':'eth0'}"), "trunks[0].name", "must be a string" },
	{ DOC("{'name':'t','parent':null}"), "trunks[0].parent", "must be a string, not null" },
	{ DOC("{'name':'t','parent':'eth0','admin_state_up':1}"), "trunks[0].admin_state_up",
	  "must be true or false" },
	{ DOC("{'name':'t','parent':'eth0','subports':{}}"), "trunks[0].subports",
	  "must be an array, not an object" },
	{ DOC("3"), "trunks[0]", "must be an object, not an integer" },
	{ "{'version':1,'trunks':{}}", "trunks", "must be an array" },
	{ "{'version':1,'trunks':null}", "trunks", "must be an array" },
	{ "{'version':'1','trunks':[]}", "version", "must be an integer, not a string" },
	{ "{'version':1.0,'trunks':[]}", "version", "must be an integer" },
	{ "[]", "", "must be an object, not an array" },
	{ "'just a string'", "", "'[' or '{' expected" },
	/* values and ranges */
	{ "{'version':2,'trunks':[]}", "version", "version 2 is not supported" },
	{ "{'version':0,'trunks':[]}", "version", "version 0 is not supported" },
	{ ONE_SUB("'vlan':0"), SP0 "vlan", "vlan 0 is out of range 1-4094" },
	{ ONE_SUB("'vlan':4095"), SP0 "vlan", "vlan 4095 is out of range 1-4094" },
	{ ONE_SUB("'vlan':-1"), SP0 "vlan", "vlan -1 is out of range" },
	{ ONE_SUB(V101 ",'mtu':67"), SP0 "mtu", "mtu 67 is out of range 68-65535" },
	{ ONE_SUB(V101 ",'mtu':65536"), SP0 "mtu", "mtu 65536 is out of range" },
	{ ONE_SUB(V101 ",'protocol':'802.1q'"), SP0 "protocol", "neither" },
	{ ONE_SUB(V101 ",'protocol':'802.1AD'"), SP0 "protocol", "neither" },
	{ ONE_SUB(V101 ",'protocol':''"), SP0 "protocol", "neither" },
	{ ONE_SUB(V101 ",'mac':'01:00:5e:00:00:01'"), SP0 "mac", "multicast" },
	{ ONE_SUB(V101 ",'mac':'ff:ff:ff:ff:ff:ff'"), SP0 "mac", "multicast" },
	{ ONE_SUB(V101 ",'mac':'00:00:00:00:00:00'"), SP0 "mac", "not a usable address" },
	{ ONE_SUB(V101 ",'mac':'02:00:00:00:00'"), SP0 "mac", "not a MAC address" },
	{ ONE_SUB(V101 ",'mac':'02:00:00:00:00:011'"), SP0 "mac", "not a MAC address" },
	{ ONE_SUB(V101 ",'mac':'02-00-00-00-00-01'"), SP0 "mac", "not a MAC address" },
	{ ONE_SUB(V101 ",'mac':'02:00:00:00:00:0g'"), SP0 "mac", "not a MAC address" },
	{ ONE_SUB(V101 ",'mac':'2:0:0:0:0:1'"), SP0 "mac", "not a MAC address" },
	{ ONE_SUB(V101 ",'mac':''"), SP0 "mac", "not a MAC address" },
	{ ONE_SUB(V101 ",'egress_qos':{'4294967296':1}"), SP0 "egress_qos.\"4294967296\"",
	  "skb priority 4294967296 is out of range 0-4294967295" },
	{ ONE_SUB(V101 ",'egress_qos':{'99999999999999999999999':1}"),
	  SP0 "egress_qos.\"99999999999999999999\"", "out of range" },
	{ ONE_SUB(V101 ",'egress_qos':{'-1':1}"), SP0 "egress_qos.\"-1\"",
	  "not an skb priority" },
	{ ONE_SUB(V101 ",'egress_qos':{'+1':1}"), SP0 "egress_qos.\"+1\"",
	  "not an skb priority" },
	{ ONE_SUB(V101 ",'egress_qos':{'':1}"), SP0 "egress_qos.\"\"", "not an skb priority" },
	{ ONE_SUB(V101 ",'egress_qos':{' 1':1}"), SP0 "egress_qos.\" 1\"",
	  "not an skb priority" },
	{ ONE_SUB(V101 ",'egress_qos':{'1.0':1}"), SP0 "egress_qos.\"1.0\"",
	  "not an skb priority" },
	{ ONE_SUB(V101 ",'egress_qos':{'0x10':1}"), SP0 "egress_qos.\"0x10\"",
	  "not an skb priority" },
	{ ONE_SUB(V101 ",'egress_qos':{'5':8}"), SP0 "egress_qos.\"5\"",
	  "PCP 8 is out of range 0-7" },
	{ ONE_SUB(V101 ",'egress_qos':{'5':-1}"), SP0 "egress_qos.\"5\"", "PCP -1 is out of range" },
	{ ONE_SUB(V101 ",'egress_qos':{'5':1,'05':2}"), SP0 "egress_qos.\"05\"",
	  "skb priority 5 is also mapped by key \"5\"" },
	{ ONE_SUB(V101 ",'ingress_qos':{'8':1}"), SP0 "ingress_qos.\"8\"", "not a PCP" },
	{ ONE_SUB(V101 ",'ingress_qos':{'-1':1}"), SP0 "ingress_qos.\"-1\"", "not a PCP" },
	{ ONE_SUB(V101 ",'ingress_qos':{'a':1}"), SP0 "ingress_qos.\"a\"", "not a PCP" },
	{ ONE_SUB(V101 ",'ingress_qos':{'':1}"), SP0 "ingress_qos.\"\"", "not a PCP" },
	{ ONE_SUB(V101 ",'ingress_qos':{'4294967303':1}"), SP0 "ingress_qos.\"4294967303\"",
	  "not a PCP" },
	{ ONE_SUB(V101 ",'ingress_qos':{'3':4294967296}"), SP0 "ingress_qos.\"3\"",
	  "skb priority 4294967296 is out of range 0-4294967295" },
	{ ONE_SUB(V101 ",'ingress_qos':{'3':-1}"), SP0 "ingress_qos.\"3\"", "out of range" },
	{ ONE_SUB(V101 ",'ingress_qos':{'3':1,'03':2}"), SP0 "ingress_qos.\"03\"",
	  "PCP 3 is also mapped by key \"3\"" },
	/* interface names: subport name, parent, master */
	{ ONE_SUB(V101 ",'master':''"), SP0 "master", "it is empty" },
	{ ONE_SUB(V101 ",'master':'sixteen-bytes-16'"), SP0 "master", "longer than 15 bytes" },
	{ ONE_SUB(V101 ",'master':'br/0'"), SP0 "master", "'/' is not allowed" },
	{ ONE_SUB(V101 ",'master':'br:0'"), SP0 "master", "':' is not allowed" },
	{ ONE_SUB(V101 ",'master':'br 0'"), SP0 "master", "whitespace" },
	{ ONE_SUB(V101 ",'master':'br\\t0'"), SP0 "master", "whitespace" },
	{ ONE_SUB(V101 ",'master':'.'"), SP0 "master", "reserved" },
	{ ONE_SUB(V101 ",'master':'..'"), SP0 "master", "reserved" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'name':'','vlan':1}]}"), SP0 "name",
	  "not a valid interface name: it is empty" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'name':'sixteen-bytes-16','vlan':1}]}"),
	  SP0 "name", "longer than 15 bytes" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'name':'a/b','vlan':1}]}"), SP0 "name",
	  "'/'" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'name':'..','vlan':1}]}"), SP0 "name",
	  "reserved" },
	{ DOC("{'name':'t','parent':'eth0\\n'}"), "trunks[0].parent", "whitespace" },
	{ DOC("{'name':'t','parent':'eth0:1'}"), "trunks[0].parent", "':'" },
	{ DOC("{'name':'t','parent':''}"), "trunks[0].parent", "it is empty" },
	{ DOC("{'name':'t','parent':'" ALT127 "x'}"), "trunks[0].parent",
	  "it is longer than 127 bytes" },
	{ DOC("{'name':'t','parent':'sixteen-bytes-16','subports':[{'name':'sixteen-bytes-16',"
	      "'vlan':1}]}"), SP0 "name", "longer than 15 bytes" },
	/* trunk names */
	{ DOC("{'name':'','parent':'eth0'}"), "trunks[0].name", "not a valid trunk name" },
	{ DOC("{'name':'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',"
	      "'parent':'eth0'}"), "trunks[0].name", "not a valid trunk name" },
	{ DOC("{'name':'a b','parent':'eth0'}"), "trunks[0].name", "not a valid trunk name" },
	{ DOC("{'name':'a/b','parent':'eth0'}"), "trunks[0].name", "not a valid trunk name" },
	{ DOC("{'name':'vm:1','parent':'eth0'}"), "trunks[0].name", "not a valid trunk name" },
	{ DOC("{'name':'caf\\u00e9','parent':'eth0'}"), "trunks[0].name",
	  "not a valid trunk name" },
	/* unknown keys, at each level */
	{ "{'version':1,'trunks':[],'comment':'x'}", "comment", "unknown key" },
	{ DOC("{'name':'t','parent':'eth0','parnet':'eth1'}"), "trunks[0].parnet",
	  "unknown key (did you mean \"parent\"?)" },
	{ ONE_SUB(V101 ",'vlna':1"), SP0 "vlna", "unknown key (did you mean \"vlan\"?)" },
	{ ONE_SUB(V101 ",'MTU':1500"), SP0 "MTU", "unknown key" },
	{ ONE_SUB(V101 ",'ipv4':false"), SP0 "ipv4", "unknown key (did you mean \"ipv6\"?)" },
	{ ONE_SUB(V101 ",'qos':{}"), SP0 "qos", "unknown key" },
	/* a path too long for the field: cut, and marked as cut */
	{ ONE_SUB(V101 ",'an-unknown-key-far-too-long-for-the-field-of-a-problem-report':1"),
	  SP0 "an-unknown-key-far-too-long-for-the-fi...", "unknown key" },
	/* missing required keys, at each level */
	{ "{'trunks':[]}", "version", "missing" },
	{ "{'version':1}", "trunks", "missing" },
	{ DOC("{'parent':'eth0'}"), "trunks[0].name", "missing" },
	{ DOC("{'name':'t'}"), "trunks[0].parent", "missing" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'vlan':1}]}"), SP0 "name", "missing" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'name':'sp'}]}"), SP0 "vlan", "missing" },
	/* rules across trunks */
	{ DOC("{'name':'t','parent':'eth0'},{'name':'t','parent':'eth1'}"), "trunks[1].name",
	  "already used by trunk \"t\" (trunks[0])" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'name':'sp','vlan':1},"
	      "{'name':'sp','vlan':2}]}"), "trunks[0].subports[1].name",
	  "already used by subport \"sp\" of trunk \"t\"" },
	{ DOC("{'name':'a','parent':'eth0','subports':[{'name':'sp','vlan':1}]},"
	      "{'name':'b','parent':'eth1','subports':[{'name':'sp','vlan':1}]}"),
	  "trunks[1].subports[0].name", "already used by subport \"sp\" of trunk \"a\"" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'name':'x','vlan':7},"
	      "{'name':'y','vlan':7}]}"), "trunks[0].subports[1].vlan",
	  "vlan 7 (802.1Q) on \"eth0\" is already used by subport \"x\" of trunk \"t\"" },
	{ DOC("{'name':'a','parent':'eth0','subports':[{'name':'x','vlan':7,"
	      "'protocol':'802.1ad'}]},{'name':'b','parent':'eth0','subports':"
	      "[{'name':'y','vlan':7,'protocol':'802.1ad'}]}"), "trunks[1].subports[0].vlan",
	  "vlan 7 (802.1ad) on \"eth0\" is already used by subport \"x\" of trunk \"a\"" },
	{ DOC("{'name':'t','parent':'sp','subports':[{'name':'sp','vlan':1}]}"),
	  "trunks[0].parent", "this trunk's own subport" },
	{ DOC("{'name':'t','parent':'eth0','subports':[{'name':'x','vlan':1},"
	      "{'name':'y','vlan':2,'master':'x'}]}"), "trunks[0].subports[1].master",
	  "not a bridge" },
	/* hostile input */
	{ "{'version':1,'trunks':[],'x':'a\\u0000b'}", "", "NUL" },
};

START_TEST(test_one_problem)
{
	expect_one_problem(problem_cases[_i].text, problem_cases[_i].field,
			   problem_cases[_i].words);
}
END_TEST

START_TEST(test_same_vlan_other_protocol_or_parent)
{
	const struct vt_trunk *trunk;

	expect_valid(DOC("{'name':'a','parent':'eth0','subports':[{'name':'x','vlan':7},"
			 "{'name':'y','vlan':7,'protocol':'802.1ad'}]},"
			 "{'name':'b','parent':'eth1','subports':[{'name':'z','vlan':7}]}"));
	ck_assert_uint_eq(desired.n_trunks, 2);
	trunk = &desired.trunks[0];
	ck_assert_uint_eq(trunk->subports[0].protocol, VT_PROTO_8021Q);
	ck_assert_uint_eq(trunk->subports[1].protocol, VT_PROTO_8021AD);
	ck_assert_uint_eq(trunk->subports[1].vlan, 7);
	ck_assert_str_eq(desired.trunks[1].subports[0].name, "z");
}
END_TEST

START_TEST(test_egress_normalised)
{
	const struct vt_subport *subport;

	/* out of order, one mapping to 0, which the kernel takes as "no mapping" */
	expect_valid(ONE_SUB(V101 ",'egress_qos':{'7':1,'3':0,'1':5,'4294967295':2}"));
	subport = &desired.trunks[0].subports[0];
	ck_assert_uint_eq(subport->n_egress, 3);
	ck_assert_uint_eq(subport->egress[0].from, 1);
	ck_assert_uint_eq(subport->egress[0].to, 5);
	ck_assert_uint_eq(subport->egress[1].from, 7);
	ck_assert_uint_eq(subport->egress[1].to, 1);
	ck_assert_uint_eq(subport->egress[2].from, 4294967295u);
	ck_assert_uint_eq(subport->egress[2].to, 2);
}
END_TEST

START_TEST(test_egress_all_zero_is_empty)
{
	const struct vt_subport *subport;

	expect_valid(ONE_SUB(V101 ",'egress_qos':{'1':0,'2':0}"));
	subport = &desired.trunks[0].subports[0];
	ck_assert_uint_eq(subport->n_egress, 0);
	ck_assert_ptr_null(subport->egress);
}
END_TEST

START_TEST(test_qos_leading_zeros)
{
	const struct vt_subport *subport;

	expect_valid(ONE_SUB(V101 ",'egress_qos':{'0010':3},'ingress_qos':{'06':70000}"));
	subport = &desired.trunks[0].subports[0];
	ck_assert_uint_eq(subport->n_egress, 1);
	ck_assert_uint_eq(subport->egress[0].from, 10);
	ck_assert_uint_eq(vt_subport_ingress(subport, 6), 70000);
}
END_TEST

/* ---- syntax ----------------------------------------------------------- */

START_TEST(test_syntax_error_line_column)
{
	int ret = parse("{\n  'version': 1,\n  'trunks': [\n  }\n");

	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].file, "test.json");
	ck_assert_str_eq(diags.v[0].field, "");
	ck_assert_int_eq(diags.v[0].line, 4);
	ck_assert_int_eq(diags.v[0].column, 3);
	ck_assert_str_ne(diags.v[0].message, "");
}
END_TEST

START_TEST(test_duplicate_key_is_an_error)
{
	int ret = parse("{'version':1,\n'trunks':[],\n'trunks':[]}");

	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_int_eq(diags.v[0].line, 3);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "duplicate"));
}
END_TEST

START_TEST(test_empty_and_truncated_input)
{
	int ret = vt_desired_parse("", 0, "empty.json", &desired, &diags);

	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].file, "empty.json");
	vt_diag_free(&diags);
	ret = vt_desired_parse("{\"version\":1,\"trunks\":[]}", 10, NULL, &desired, &diags);
	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].file, "<input>");
}
END_TEST

START_TEST(test_embedded_nul_byte)
{
	static const char doc[] = "{\"version\":1,\"trunks\":[]}\0garbage";
	int ret = vt_desired_parse(doc, sizeof(doc) - 1, "nul.json", &desired, &diags);

	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_int_eq(diags.v[0].line, 1);
}
END_TEST

/* ---- all problems, with context ----------------------------------------- */

START_TEST(test_every_problem_reported)
{
	int ret = parse(DOC("{'name':'vm-1','parent':'eth0','colour':'red','subports':["
			    "{'name':'a','vlan':0},"
			    "{'name':'b','vlan':'7','mtu':67},"
			    "{'name':'c','vlan':9,'mac':'01:00:00:00:00:01'}]},"
			    "{'name':'vm 2','parent':'eth1'}"));

	expect_invalid(ret);
	ck_assert_msg(diags.n == 6, "%zu diagnostics:%s", diags.n, all_diags());
	expect_diag("trunks[0].colour", "unknown key");
	expect_diag("trunks[0].subports[0].vlan", "vlan 0 is out of range");
	expect_diag("trunks[0].subports[1].vlan", "must be an integer");
	expect_diag("trunks[0].subports[1].mtu", "mtu 67");
	expect_diag("trunks[0].subports[2].mac", "multicast");
	expect_diag("trunks[1].name", "not a valid trunk name");
}
END_TEST

START_TEST(test_diag_context)
{
	const struct vt_diag *diag;

	expect_invalid(parse(DOC("{'name':'vm-1','parent':'eth0','subports':["
				 "{'name':'sp1','vlan':5000},{'name':'bad/name','vlan':5001}]},"
				 "{'name':'bad name','parent':'p/'}")));
	diag = find_diag("trunks[0].subports[0].vlan");
	ck_assert_ptr_nonnull(diag);
	ck_assert_str_eq(diag->file, "test.json");
	ck_assert_str_eq(diag->trunk, "vm-1");
	ck_assert_str_eq(diag->subport, "sp1");
	ck_assert_int_eq(diag->line, 0);
	/* an invalid name is not used to name what it failed to name */
	diag = find_diag("trunks[0].subports[1].vlan");
	ck_assert_ptr_nonnull(diag);
	ck_assert_str_eq(diag->trunk, "vm-1");
	ck_assert_str_eq(diag->subport, "");
	diag = find_diag("trunks[1].parent");
	ck_assert_ptr_nonnull(diag);
	ck_assert_str_eq(diag->trunk, "");
	ck_assert_str_eq(diag->subport, "");
}
END_TEST

START_TEST(test_control_characters_not_echoed)
{
	const struct vt_diag *diag;

	expect_invalid(parse("{'version':1,'trunks':[],'a\\u001b[2Jb':1}"));
	ck_assert_uint_eq(diags.n, 1);
	diag = &diags.v[0];
	ck_assert_ptr_null(strchr(diag->field, '\x1b'));
	ck_assert_str_eq(diag->field, "a?[2Jb");
	vt_diag_free(&diags);

	/* U+009B is a one-character CSI; U+00E9 is just a letter */
	expect_invalid(parse("{'version':1,'trunks':[],'\\u009b2J\\u00e9':1}"));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].field, "??2J\xc3\xa9");
}
END_TEST

START_TEST(test_diag_format)
{
	struct vt_diag diag = {
		.file = "/etc/vlantrunk/trunks.d/a.json",
		.trunk = "vm-42",
		.subport = "sp1",
		.field = "trunks[0].subports[0].vlan",
		.message = "vlan 4095 is out of range 1-4094",
	};
	struct vt_diag syntax = { .file = "a.json", .line = 3, .column = 7, .message = "boom" };
	char buf[256], small[12];

	vt_diag_format(&diag, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/etc/vlantrunk/trunks.d/a.json: trunk 'vm-42': subport 'sp1': "
			 "trunks[0].subports[0].vlan: vlan 4095 is out of range 1-4094");
	vt_diag_format(&syntax, buf, sizeof(buf));
	ck_assert_str_eq(buf, "a.json:3:7: boom");
	vt_diag_format(&diag, small, sizeof(small));
	ck_assert_str_eq(small, "/etc/vlantr");
}
END_TEST

/* A document text built piece by piece; the caller frees it. */
struct text {
	char *data;
	size_t len;
	FILE *f;
};

static void text_start(struct text *text, const char *start)
{
	text->data = NULL;
	text->f = open_memstream(&text->data, &text->len);
	ck_assert_ptr_nonnull(text->f);
	fputs(start, text->f);
}

static char *text_end(struct text *text, const char *end)
{
	fputs(end, text->f);
	ck_assert_int_eq(fclose(text->f), 0);
	return text->data;
}

START_TEST(test_diags_capped)
{
	struct text text;
	char *json;
	int ret;

	text_start(&text, "{'version':1,'trunks':[]");
	for (int i = 0; i < VT_DIAGS_MAX + 500; i++)
		fprintf(text.f, ",'k%d':0", i);
	json = text_end(&text, "}");
	ret = parse(json);
	free(json);
	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, VT_DIAGS_MAX + 1);
	ck_assert_str_eq(diags.v[VT_DIAGS_MAX - 1].field, "k999");
	ck_assert_str_eq(diags.v[VT_DIAGS_MAX].message, "500 more problems are not listed");
}
END_TEST

START_TEST(test_diags_appended)
{
	ck_assert_int_eq(parse("{'version':1}"), -EINVAL);
	ck_assert_int_eq(parse("{'trunks':[]}"), -EINVAL);
	ck_assert_uint_eq(diags.n, 2);
	ck_assert_str_eq(diags.v[0].field, "trunks");
	ck_assert_str_eq(diags.v[1].field, "version");
}
END_TEST

/* ---- QinQ ----------------------------------------------------------------- */

START_TEST(test_qinq_outer_and_depth)
{
	/* the innermost first: nesting does not depend on the order of declaration */
	expect_valid(DOC("{'name':'c','parent':'svc-b','subports':[{'name':'cust-c','vlan':30}]},"
			 "{'name':'b','parent':'svc-a','subports':[{'name':'svc-b','vlan':20}]},"
			 "{'name':'a','parent':'eth0','subports':[{'name':'svc-a','vlan':10,"
			 "'protocol':'802.1ad'}]}"));
	ck_assert_uint_eq(desired.n_trunks, 3);
	ck_assert_str_eq(desired.trunks[2].name, "a");
	ck_assert_int_eq(desired.trunks[2].outer, -1);
	ck_assert_uint_eq(desired.trunks[2].depth, 0);
	ck_assert_int_eq(desired.trunks[1].outer, 2);
	ck_assert_uint_eq(desired.trunks[1].depth, 1);
	ck_assert_int_eq(desired.trunks[0].outer, 1);
	ck_assert_uint_eq(desired.trunks[0].depth, 2);
}
END_TEST

START_TEST(test_qinq_outer_need_not_be_8021ad)
{
	expect_valid(DOC("{'name':'a','parent':'eth0','subports':[{'name':'s','vlan':10}]},"
			 "{'name':'b','parent':'s','subports':[{'name':'t','vlan':10}]}"));
	ck_assert_int_eq(desired.trunks[1].outer, 0);
	ck_assert_uint_eq(desired.trunks[1].depth, 1);
}
END_TEST

START_TEST(test_qinq_two_trunks_on_one_subport)
{
	expect_valid(DOC("{'name':'a','parent':'eth0','subports':[{'name':'s','vlan':10}]},"
			 "{'name':'b','parent':'s','subports':[{'name':'x','vlan':10}]},"
			 "{'name':'c','parent':'s','subports':[{'name':'y','vlan':11}]}"));
	ck_assert_int_eq(desired.trunks[1].outer, 0);
	ck_assert_int_eq(desired.trunks[2].outer, 0);
	ck_assert_uint_eq(desired.trunks[2].depth, 1);
}
END_TEST

START_TEST(test_qinq_cycle_of_two)
{
	expect_invalid(parse(DOC("{'name':'a','parent':'sb','subports':[{'name':'sa','vlan':1}]},"
				 "{'name':'b','parent':'sa','subports':[{'name':'sb','vlan':1}]}")));
	ck_assert_msg(diags.n == 2, "%zu diagnostics:%s", diags.n, all_diags());
	expect_diag("trunks[0].parent", "circular: trunk \"a\" on trunk \"b\" on trunk \"a\"");
	expect_diag("trunks[1].parent", "circular: trunk \"b\" on trunk \"a\" on trunk \"b\"");
	ck_assert_str_eq(find_diag("trunks[1].parent")->trunk, "b");
}
END_TEST

START_TEST(test_qinq_longer_cycle)
{
	/* d sits on the cycle without being part of it: only a, b, c are reported */
	expect_invalid(parse(DOC("{'name':'d','parent':'sa','subports':[{'name':'sd','vlan':1}]},"
				 "{'name':'a','parent':'sc','subports':[{'name':'sa','vlan':1}]},"
				 "{'name':'b','parent':'sa','subports':[{'name':'sb','vlan':2}]},"
				 "{'name':'c','parent':'sb','subports':[{'name':'sc','vlan':1}]}")));
	ck_assert_msg(diags.n == 3, "%zu diagnostics:%s", diags.n, all_diags());
	expect_diag("trunks[1].parent", "trunk \"a\" on trunk \"c\" on trunk \"b\" on trunk \"a\"");
	expect_diag("trunks[2].parent", "circular");
	expect_diag("trunks[3].parent", "circular");
	ck_assert_ptr_null(find_diag("trunks[0].parent"));
}
END_TEST

START_TEST(test_qinq_self_parenting)
{
	expect_one_problem(DOC("{'name':'a','parent':'sa2','subports':[{'name':'sa1','vlan':1},"
			       "{'name':'sa2','vlan':2}]}"),
			   "trunks[0].parent", "\"sa2\" is this trunk's own subport (subports[1])");
	ck_assert_str_eq(diags.v[0].trunk, "a");
}
END_TEST

/* ---- files and directories ---------------------------------------------- */

START_TEST(test_load_file)
{
	char path[256];
	int ret;

	make_tmpdir();
	/* any name will do for a file named explicitly */
	write_file("trunks.conf", ONE_SUB(V101), path, sizeof(path));
	ret = vt_desired_load(path, &desired, &diags);
	ck_assert_msg(ret == 0, "ret %d:%s", ret, all_diags());
	ck_assert_uint_eq(desired.n_files, 1);
	ck_assert_str_eq(desired.files[0], path);
	ck_assert_uint_eq(desired.n_trunks, 1);
	ck_assert_str_eq(desired.trunks[0].file, path);
	ck_assert_str_eq(desired.trunks[0].subports[0].name, "sp");
}
END_TEST

START_TEST(test_load_file_with_problem)
{
	char path[256];

	make_tmpdir();
	write_file("bad.json", ONE_SUB("'vlan':4095"), path, sizeof(path));
	expect_invalid(vt_desired_load(path, &desired, &diags));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].file, path);
	ck_assert_str_eq(diags.v[0].field, SP0 "vlan");
}
END_TEST

START_TEST(test_directory_merged_in_lexical_order)
{
	static const char *const names[] = { "b.json", "a.json", "9.json", "10.json", "B.json" };
	char path[256];
	int ret;

	make_tmpdir();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *text, trunk[16], sub[16];

		snprintf(trunk, sizeof(trunk), "t-%.*s", (int)strcspn(names[i], "."), names[i]);
		snprintf(sub, sizeof(sub), "s-%.*s", (int)strcspn(names[i], "."), names[i]);
		text = trunk_doc(trunk, "eth0", sub, (int)i + 1);
		write_file(names[i], text, NULL, 0);
		free(text);
	}
	/* not *.json, hidden, or not a regular file: all ignored */
	write_file("README", "not json", NULL, 0);
	write_file("c.json.bak", "not json", NULL, 0);
	write_file(".hidden.json", "not json", NULL, 0);
	write_file(".json", "not json", NULL, 0);
	snprintf(path, sizeof(path), "%s/dir.json", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);

	ret = vt_desired_load(tmpdir, &desired, &diags);
	ck_assert_msg(ret == 0, "ret %d:%s", ret, all_diags());
	ck_assert_uint_eq(desired.n_files, 5);
	ck_assert_uint_eq(desired.n_trunks, 5);
	/* bytewise, whatever the locale: digits, upper case, lower case */
	ck_assert_str_eq(desired.trunks[0].name, "t-10");
	ck_assert_str_eq(desired.trunks[1].name, "t-9");
	ck_assert_str_eq(desired.trunks[2].name, "t-B");
	ck_assert_str_eq(desired.trunks[3].name, "t-a");
	ck_assert_str_eq(desired.trunks[4].name, "t-b");
	snprintf(path, sizeof(path), "%s/9.json", tmpdir);
	ck_assert_str_eq(desired.files[1], path);
	ck_assert_str_eq(desired.trunks[1].file, path);
	ck_assert_ptr_eq(desired.trunks[1].file, desired.files[1]);
}
END_TEST

START_TEST(test_directory_duplicate_trunk_across_files)
{
	char *text = trunk_doc("vm-1", "eth0", "sp1", 1);
	char first[256], second[256];
	const struct vt_diag *diag;

	make_tmpdir();
	write_file("10-a.json", text, first, sizeof(first));
	free(text);
	text = trunk_doc("vm-1", "eth1", "sp2", 2);
	write_file("20-b.json", text, second, sizeof(second));
	free(text);
	expect_invalid(vt_desired_load(tmpdir, &desired, &diags));
	ck_assert_msg(diags.n == 1, "%zu diagnostics:%s", diags.n, all_diags());
	diag = &diags.v[0];
	ck_assert_str_eq(diag->file, second);
	ck_assert_str_eq(diag->field, "trunks[0].name");
	ck_assert_str_eq(diag->trunk, "vm-1");
	ck_assert_ptr_nonnull(strstr(diag->message, first));
}
END_TEST

START_TEST(test_directory_qinq_across_files)
{
	char *text;
	int ret;

	make_tmpdir();
	text = trunk_doc("inner", "svc", "cust", 5);
	write_file("a.json", text, NULL, 0);
	free(text);
	text = trunk_doc("outer", "eth0", "svc", 5);
	write_file("b.json", text, NULL, 0);
	free(text);
	ret = vt_desired_load(tmpdir, &desired, &diags);
	ck_assert_msg(ret == 0, "ret %d:%s", ret, all_diags());
	ck_assert_str_eq(desired.trunks[0].name, "inner");
	ck_assert_int_eq(desired.trunks[0].outer, 1);
	ck_assert_uint_eq(desired.trunks[0].depth, 1);
}
END_TEST

START_TEST(test_directory_problems_in_several_files)
{
	char bad1[256], bad2[256];

	make_tmpdir();
	write_file("1.json", ONE_SUB("'vlan':0"), bad1, sizeof(bad1));
	write_file("2.json", DOC("{'name':'u','parent':'eth0'}"), NULL, 0);
	write_file("3.json", "{'version':1,\n'trunks':[", bad2, sizeof(bad2));
	expect_invalid(vt_desired_load(tmpdir, &desired, &diags));
	ck_assert_msg(diags.n == 2, "%zu diagnostics:%s", diags.n, all_diags());
	ck_assert_str_eq(diags.v[0].file, bad1);
	ck_assert_str_eq(diags.v[1].file, bad2);
	ck_assert_int_eq(diags.v[1].line, 2);
}
END_TEST

START_TEST(test_directory_without_json)
{
	make_tmpdir();
	expect_invalid(vt_desired_load(tmpdir, &desired, &diags));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].file, tmpdir);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "no *.json file"));

	vt_diag_free(&diags);
	write_file("trunks.json.disabled", DOC(""), NULL, 0);
	write_file("README", "", NULL, 0);
	expect_invalid(vt_desired_load(tmpdir, &desired, &diags));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "no *.json file"));
}
END_TEST

START_TEST(test_directory_dangling_symlink)
{
	char path[256], target[256];

	make_tmpdir();
	write_file("a.json", DOC(""), NULL, 0);
	snprintf(path, sizeof(path), "%s/b.json", tmpdir);
	snprintf(target, sizeof(target), "%s/gone.json.orig", tmpdir);
	ck_assert_int_eq(symlink(target, path), 0);
	expect_invalid(vt_desired_load(tmpdir, &desired, &diags));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].file, path);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "cannot read"));
}
END_TEST

START_TEST(test_directory_symlinked_file)
{
	char path[256], target[256];
	int ret;

	make_tmpdir();
	write_file("real.conf", DOC("{'name':'t','parent':'eth0'}"), target, sizeof(target));
	snprintf(path, sizeof(path), "%s/link.json", tmpdir);
	ck_assert_int_eq(symlink(target, path), 0);
	ret = vt_desired_load(tmpdir, &desired, &diags);
	ck_assert_msg(ret == 0, "ret %d:%s", ret, all_diags());
	ck_assert_uint_eq(desired.n_trunks, 1);
	ck_assert_str_eq(desired.trunks[0].file, path);
}
END_TEST

START_TEST(test_missing_path)
{
	expect_invalid(vt_desired_load("/nonexistent/vlantrunk/trunks.d", &desired, &diags));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].file, "/nonexistent/vlantrunk/trunks.d");
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "No such file"));
}
END_TEST

START_TEST(test_fifo_path)
{
	char path[256];

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/pipe.json", tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* must not block on the FIFO */
	expect_invalid(vt_desired_load(path, &desired, &diags));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "neither a regular file"));
	/* and in a directory, a FIFO is not a *.json file */
	vt_diag_free(&diags);
	expect_invalid(vt_desired_load(tmpdir, &desired, &diags));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "no *.json file"));
}
END_TEST

START_TEST(test_explicit_empty_trunks)
{
	char path[256];
	int ret;

	make_tmpdir();
	write_file("empty.json", "{'version':1,'trunks':[]}", path, sizeof(path));
	ret = vt_desired_load(tmpdir, &desired, &diags);
	ck_assert_msg(ret == 0, "ret %d:%s", ret, all_diags());
	ck_assert_uint_eq(diags.n, 0);
	ck_assert_uint_eq(desired.n_trunks, 0);
	ck_assert_uint_eq(desired.n_files, 1);
	ck_assert_str_eq(desired.files[0], path);
}
END_TEST

START_TEST(test_file_too_big)
{
	char path[256];
	int fd;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/huge.json", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	/* sparse: nothing is written, and nothing must be read */
	ck_assert_int_eq(ftruncate(fd, (off_t)VT_DESIRED_MAX_FILE_SIZE + 1), 0);
	ck_assert_int_eq(close(fd), 0);
	expect_invalid(vt_desired_load(tmpdir, &desired, &diags));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].file, path);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "larger than the limit"));
}
END_TEST

START_TEST(test_directory_file_limit)
{
	char name[32];
	int ret;

	make_tmpdir();
	for (int i = 0; i < VT_DESIRED_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "%05d.json", i);
		write_file(name, "{'version':1,'trunks':[]}", NULL, 0);
	}
	ret = vt_desired_load(tmpdir, &desired, &diags);
	ck_assert_msg(ret == 0, "ret %d:%s", ret, all_diags());
	ck_assert_uint_eq(desired.n_files, VT_DESIRED_MAX_FILES);
	vt_desired_free(&desired);

	write_file("extra.json", "{'version':1,'trunks':[]}", NULL, 0);
	expect_invalid(vt_desired_load(tmpdir, &desired, &diags));
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].file, tmpdir);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "more than 4096 *.json files"));
}
END_TEST

/* ---- limits against hostile input ------------------------------------------ */

/* @levels nested arrays under key "x", on the document's second line. */
static char *nested_doc(int levels)
{
	struct text text;

	text_start(&text, "{'version':1,'trunks':[],\n'x':");
	for (int i = 0; i < levels; i++)
		fputc('[', text.f);
	for (int i = 0; i < levels; i++)
		fputc(']', text.f);
	return text_end(&text, "}");
}

START_TEST(test_nesting_limit)
{
	char *text = nested_doc(VT_DESIRED_MAX_DEPTH - 1);
	int ret = parse(text);

	/* within the limit: the only problem is the unknown key */
	free(text);
	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].field, "x");
	vt_diag_free(&diags);

	text = nested_doc(VT_DESIRED_MAX_DEPTH);
	ret = parse(text);
	free(text);
	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "nested deeper than 32"));
	ck_assert_int_eq(diags.v[0].line, 2);
	/* 'x': is 4 characters; the 32nd '[' is the 33rd level */
	ck_assert_int_eq(diags.v[0].column, 4 + VT_DESIRED_MAX_DEPTH);
}
END_TEST

START_TEST(test_nesting_limit_ignores_strings)
{
	struct text text;
	char *json;

	text_start(&text, "{'version':1,'trunks':[],'x':'");
	for (int i = 0; i < 1000; i++)
		fputs("[{\\'", text.f);
	json = text_end(&text, "'}");
	expect_invalid(parse(json));
	free(json);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].field, "x");
}
END_TEST

/* An unknown key "x" holding @zeros zeros: @zeros + 4 JSON values. */
static char *values_doc(size_t zeros)
{
	struct text text;

	text_start(&text, "{'version':1,'trunks':[],'x':[0");
	for (size_t i = 1; i < zeros; i++)
		fputs(",0", text.f);
	return text_end(&text, "]}");
}

START_TEST(test_values_limit)
{
	char *text = values_doc(VT_DESIRED_MAX_VALUES - 4);
	int ret = parse(text);

	free(text);
	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].field, "x");
	vt_diag_free(&diags);

	text = values_doc(VT_DESIRED_MAX_VALUES - 3);
	ret = parse(text);
	free(text);
	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "JSON values, the limit"));
}
END_TEST

static char *egress_doc(int entries)
{
	struct text text;

	text_start(&text, "{'version':1,'trunks':[{'name':'t','parent':'eth0','subports':"
		   "[{'name':'sp','vlan':1,'egress_qos':{'0':1");
	for (int i = 1; i < entries; i++)
		fprintf(text.f, ",'%d':%d", i, i % 8);
	return text_end(&text, "}}]}]}");
}

START_TEST(test_egress_limit)
{
	char *text = egress_doc(VT_DESIRED_MAX_EGRESS);
	int ret = parse(text);

	free(text);
	ck_assert_msg(ret == 0, "ret %d:%s", ret, all_diags());
	/* every eighth maps to PCP 0, which is no mapping */
	ck_assert_uint_eq(desired.trunks[0].subports[0].n_egress,
			  VT_DESIRED_MAX_EGRESS - VT_DESIRED_MAX_EGRESS / 8 + 1);
	vt_desired_free(&desired);

	text = egress_doc(VT_DESIRED_MAX_EGRESS + 1);
	ret = parse(text);
	free(text);
	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].field, SP0 "egress_qos");
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "more than the limit of 4096"));
}
END_TEST

/* One trunk with @n subports: each vlan once per protocol, 802.1Q first. */
static char *subports_doc(int n)
{
	struct text text;

	text_start(&text, "{'version':1,'trunks':[{'name':'t','parent':'eth0','subports':[");
	for (int i = 0; i < n; i++)
		fprintf(text.f, "%s{'name':'s%d','vlan':%d,'protocol':'%s'}", i ? "," : "", i,
			i % VT_VLAN_ID_MAX + 1, i < VT_VLAN_ID_MAX ? "802.1Q" : "802.1ad");
	return text_end(&text, "]}]}");
}

START_TEST(test_subports_limit)
{
	char *text = subports_doc(VT_DESIRED_MAX_TRUNK_SUBPORTS);
	int ret = parse(text);

	free(text);
	ck_assert_msg(ret == 0, "ret %d:%s", ret, all_diags());
	ck_assert_uint_eq(desired.trunks[0].n_subports, 2 * 4094);
	vt_desired_free(&desired);

	text = subports_doc(VT_DESIRED_MAX_TRUNK_SUBPORTS + 1);
	ret = parse(text);
	free(text);
	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].field, "trunks[0].subports");
}
END_TEST

static char *trunks_doc(int n)
{
	struct text text;

	text_start(&text, "{'version':1,'trunks':[");
	for (int i = 0; i < n; i++)
		fprintf(text.f, "%s{'name':'t%d','parent':'eth0'}", i ? "," : "", i);
	return text_end(&text, "]}");
}

START_TEST(test_trunks_limit)
{
	char *text = trunks_doc(VT_DESIRED_MAX_TRUNKS);
	int ret = parse(text);

	free(text);
	ck_assert_msg(ret == 0, "ret %d:%s", ret, all_diags());
	ck_assert_uint_eq(desired.n_trunks, 65536);
	ck_assert_str_eq(desired.trunks[65535].name, "t65535");
	vt_desired_free(&desired);

	text = trunks_doc(VT_DESIRED_MAX_TRUNKS + 1);
	ret = parse(text);
	free(text);
	expect_invalid(ret);
	ck_assert_uint_eq(diags.n, 1);
	ck_assert_str_eq(diags.v[0].field, "trunks");
	ck_assert_ptr_nonnull(strstr(diags.v[0].message, "more than 65536 trunks"));
}
END_TEST

/* ---- network namespaces ------------------------------------------------------ */

/* A subport object "name" at "vlan" in namespace @netns (JSON text, ' for "). */
#define NS_SP(name, vlan, netns) "{'name':'" name "','vlan':" #vlan ",'netns':" netns "}"

/* @c repeated @n times, then @tail, in a new string. */
static char *repeat(char c, size_t n, const char *tail)
{
	char *text = malloc(n + strlen(tail) + 1);

	ck_assert_ptr_nonnull(text);
	memset(text, c, n);
	strcpy(text + n, tail);
	return text;
}

/* Each netns accepted: as written, and the file it names. */
static const struct {
	const char *netns;		/* JSON text, ' for " */
	const char *stored;		/* NULL: vlantrunk's own namespace */
	const char *path;
} netns_forms[] = {
	{ "'ns1'", "ns1", "/run/netns/ns1" },
	{ "'cni-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901'",
	  "cni-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",
	  "/run/netns/cni-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901" },
	/* a name is a file name: dots, dashes, a colon, UTF-8 letters */
	{ "'...'", "...", "/run/netns/..." },
	{ "'.pod:a'", ".pod:a", "/run/netns/.pod:a" },
	{ "'caf\\u00e9'", "caf\xc3\xa9", "/run/netns/caf\xc3\xa9" },
	{ "'/run/netns/ns1'", "/run/netns/ns1", "/run/netns/ns1" },
	{ "'/proc/1234/ns/net'", "/proc/1234/ns/net", "/proc/1234/ns/net" },
	{ "'/var/run/netns/cni-x'", "/var/run/netns/cni-x", "/var/run/netns/cni-x" },
	{ "'/.../a b'", "/.../a b", "/.../a b" },
	{ "'/x'", "/x", "/x" },
	{ "null", NULL, NULL },
};

START_TEST(test_netns_forms)
{
	const struct vt_subport *subport;
	char *text, path[VT_NETNS_PATH_MAX];

	ck_assert_int_ne(asprintf(&text, ONE_SUB(V101 ",'netns':%s"), netns_forms[_i].netns), -1);
	expect_valid(text);
	free(text);
	subport = &desired.trunks[0].subports[0];
	if (!netns_forms[_i].stored) {
		ck_assert_ptr_null(subport->netns);
		return;
	}
	ck_assert_str_eq(subport->netns, netns_forms[_i].stored);
	ck_assert_int_eq(vt_desired_netns_path(subport->netns, path, sizeof(path)), 0);
	ck_assert_str_eq(path, netns_forms[_i].path);
}
END_TEST

/* The longest of each: a 255-byte name, a 4095-byte path. */
START_TEST(test_netns_longest)
{
	char *name = repeat('n', 255, ""), *long_path = repeat('p', VT_NETNS_PATH_MAX - 1, "");
	char *text, path[VT_NETNS_PATH_MAX];

	long_path[0] = '/';
	long_path[100] = '/';
	ck_assert_int_ne(asprintf(&text, DOC("{'name':'t','parent':'eth0','subports':["
					     NS_SP("a", 1, "'%s'") "," NS_SP("b", 2, "'%s'") "]}"),
				  name, long_path), -1);
	expect_valid(text);
	free(text);
	ck_assert_str_eq(desired.trunks[0].subports[0].netns, name);
	ck_assert_uint_eq(strlen(desired.trunks[0].subports[1].netns), VT_NETNS_PATH_MAX - 1);
	ck_assert_int_eq(vt_desired_netns_path(name, path, sizeof(path)), 0);
	ck_assert_uint_eq(strlen(path), strlen("/run/netns/") + 255);
	ck_assert_int_eq(vt_desired_netns_path(long_path, path, sizeof(path)), 0);
	ck_assert_str_eq(path, long_path);
	free(name);
	free(long_path);
}
END_TEST

#define NOT_A_NAME "a relative path or a name with '/': write an `ip netns` name or an " \
	"absolute path"
#define BLANK "an `ip netns` name, but with whitespace or a control character"

/* Each netns refused, with the words its diagnostic at subports[0].netns says. */
static const struct {
	const char *netns;
	const char *words;
} netns_problems[] = {
	{ "''", "\"\" is not a valid namespace: it is empty: write an `ip netns` name or an "
		"absolute path" },
	{ "'a/b'", "\"a/b\" is not a valid namespace: " NOT_A_NAME },
	{ "'ns1/'", NOT_A_NAME },
	{ "'./ns1'", NOT_A_NAME },
	{ "'../run/netns/ns1'", NOT_A_NAME },
	{ "'proc/1/ns/net'", NOT_A_NAME },
	{ "'.'", "\".\" and \"..\" are not `ip netns` names" },
	{ "'..'", "\".\" and \"..\" are not `ip netns` names" },
	{ "'ns 1'", BLANK },
	{ "' ns1'", BLANK },
	{ "'ns1\\t'", BLANK },
	{ "'ns1\\n'", BLANK },
	{ "'ns\\r1'", BLANK },
	{ "'ns\\u000b1'", BLANK },
	{ "'\\u0001'", BLANK },
	{ "'ns\\u007f'", BLANK },
	{ "'ns\\u0085'", BLANK },		/* NEL, a C1 control */
	{ "'ns\\u009b2J'", BLANK },		/* CSI */
	{ "'ns\\u00a0'", BLANK },		/* NO-BREAK SPACE */
	{ "'/'", "an absolute path, but it ends in '/'" },
	{ "'/run/netns/'", "an absolute path, but it ends in '/'" },
	{ "'//ns1'", "an absolute path, but with an empty component (\"//\")" },
	{ "'/run//netns/ns1'", "empty component" },
	{ "'/run/netns/./ns1'", "an absolute path, but with a \".\" or \"..\" component" },
	{ "'/run/netns/../ns1'", "\".\" or \"..\" component" },
	{ "'/.'", "\".\" or \"..\" component" },
	{ "'/..'", "\".\" or \"..\" component" },
	{ "'/run/netns/ns1/.'", "\".\" or \"..\" component" },
	{ "5", "must be a string or null, not an integer" },
	{ "true", "must be a string or null, not true" },
	{ "['ns1']", "must be a string or null, not an array" },
	{ "{}", "must be a string or null, not an object" },
};

START_TEST(test_netns_problems)
{
	char *text;

	ck_assert_int_ne(asprintf(&text, ONE_SUB(V101 ",'netns':%s"), netns_problems[_i].netns),
			 -1);
	expect_one_problem(text, SP0 "netns", netns_problems[_i].words);
	free(text);
	/* the one diagnostic names where it is */
	ck_assert_str_eq(diags.v[0].file, "test.json");
	ck_assert_str_eq(diags.v[0].trunk, "t");
	ck_assert_str_eq(diags.v[0].subport, "sp");
}
END_TEST

/* One byte over each limit: a 256-byte name, a 4096-byte path. */
START_TEST(test_netns_too_long)
{
	char *name = repeat('n', 256, ""), *path = repeat('p', VT_NETNS_PATH_MAX, "");
	char *text;

	path[0] = '/';
	ck_assert_int_ne(asprintf(&text, DOC("{'name':'t','parent':'eth0','subports':["
					     NS_SP("a", 1, "'%s'") "," NS_SP("b", 2, "'%s'") "]}"),
				  name, path), -1);
	expect_invalid(parse(text));
	free(text);
	ck_assert_msg(diags.n == 2, "%zu diagnostics:%s", diags.n, all_diags());
	expect_diag(SP0 "netns", "an `ip netns` name, but longer than 255 bytes");
	expect_diag("trunks[0].subports[1].netns", "an absolute path, but longer than 4095 bytes");
	free(name);
	free(path);
}
END_TEST

START_TEST(test_netns_key_typo)
{
	expect_one_problem(ONE_SUB(V101 ",'netn':'ns1'"), SP0 "netn",
			   "unknown key (did you mean \"netns\"?)");
}
END_TEST

/*
 * The JSON reader refuses \u0000 before any field is read ("hostile input"
 * above); should a NUL ever come through, it is no part of a name or a path.
 */
START_TEST(test_netns_nul)
{
	static const char name[] = "ns\0" "1", path[] = "/run/netns/ns\0" "1";

	ck_assert_str_eq(vt_desired_netns_problem(name, sizeof(name) - 1), "it contains a NUL byte");
	ck_assert_str_eq(vt_desired_netns_problem(path, sizeof(path) - 1), "it contains a NUL byte");
	ck_assert_ptr_null(vt_desired_netns_problem("ns1", 3));
}
END_TEST

/* Every problem is reported, netns among them, and nothing handed out. */
START_TEST(test_netns_with_other_problems)
{
	expect_invalid(parse(DOC("{'name':'t','parent':'eth0','subports':["
				 "{'name':'a','vlan':0,'netns':'x/y'},"
				 "{'name':'b','vlan':2,'netns':'ns1','mtu':1}]}")));
	ck_assert_msg(diags.n == 3, "%zu diagnostics:%s", diags.n, all_diags());
	expect_diag(SP0 "vlan", "vlan 0 is out of range");
	expect_diag(SP0 "netns", NOT_A_NAME);
	expect_diag("trunks[0].subports[1].mtu", "mtu 1 is out of range");
}
END_TEST

START_TEST(test_netns_path)
{
	char buf[VT_NETNS_PATH_MAX];

	ck_assert_int_eq(vt_desired_netns_path("ns1", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/netns/ns1");
	ck_assert_int_eq(vt_desired_netns_path("/proc/42/ns/net", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/proc/42/ns/net");
	/* exactly enough room, then one byte short: nothing half written */
	ck_assert_int_eq(vt_desired_netns_path("ns1", buf, sizeof("/run/netns/ns1")), 0);
	ck_assert_str_eq(buf, "/run/netns/ns1");
	ck_assert_int_eq(vt_desired_netns_path("ns1", buf, sizeof("/run/netns/ns1") - 1),
			 -ENAMETOOLONG);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(vt_desired_netns_path("/proc/1/ns/net", buf, sizeof("/proc/1/ns/net")), 0);
	strcpy(buf, "x");
	ck_assert_int_eq(vt_desired_netns_path("/proc/1/ns/net", buf, 5), -ENAMETOOLONG);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(vt_desired_netns_path("ns1", buf, 0), -ENAMETOOLONG);
}
END_TEST

/* Every pod wants its eth1: one name, each in its own namespace, all valid. */
START_TEST(test_netns_names_unique_per_namespace)
{
	expect_valid(DOC("{'name':'a','parent':'eth0','subports':["
			 NS_SP("eth1", 10, "'ns1'") "," NS_SP("eth1", 11, "'ns2'") ","
			 "{'name':'eth1','vlan':12},"
			 NS_SP("eth1", 13, "'/proc/1/ns/net'") "," NS_SP("eth3", 14, "null") "]},"
			 "{'name':'b','parent':'eth1','subports':["
			 NS_SP("eth1", 10, "'/var/run/netns/ns1'") "," NS_SP("eth2", 11, "'ns1'") ","
			 NS_SP("eth1", 12, "'/proc/2/ns/net'") "]}"));
	ck_assert_uint_eq(desired.n_trunks, 2);
	ck_assert_str_eq(desired.trunks[0].subports[1].netns, "ns2");
	ck_assert_ptr_null(desired.trunks[0].subports[2].netns);
	ck_assert_ptr_null(desired.trunks[0].subports[4].netns);
}
END_TEST

/* Twice in one namespace, however it is written: the duplicate name of old. */
static const struct {
	const char *first, *second, *words;
} netns_duplicates[] = {
	{ "'ns1'", "'ns1'", "the name is already used by subport \"eth1\" of trunk \"a\", "
			    "in namespace \"/run/netns/ns1\"" },
	{ "'ns1'", "'/run/netns/ns1'", "in namespace \"/run/netns/ns1\"" },
	{ "'/run/netns/ns1'", "'ns1'", "in namespace \"/run/netns/ns1\"" },
	{ "'/proc/7/ns/net'", "'/proc/7/ns/net'", "subport \"eth1\" of trunk \"a\", "
						  "in namespace \"/proc/7/ns/net\"" },
	{ "null", "null", "the name is already used by subport \"eth1\" of trunk \"a\"" },
};

START_TEST(test_netns_duplicate_names)
{
	char *text;

	ck_assert_int_ne(asprintf(&text, DOC("{'name':'a','parent':'eth0','subports':["
					     NS_SP("eth1", 10, "%s") "]},"
					     "{'name':'b','parent':'eth0','subports':["
					     NS_SP("eth1", 11, "%s") "]}"),
				  netns_duplicates[_i].first, netns_duplicates[_i].second), -1);
	expect_one_problem(text, "trunks[1].subports[0].name", netns_duplicates[_i].words);
	free(text);
	ck_assert_str_eq(diags.v[0].trunk, "b");
	ck_assert_str_eq(diags.v[0].subport, "eth1");
}
END_TEST

/* A netns that was refused puts the subport in no namespace: no second, false problem. */
START_TEST(test_netns_invalid_not_own_namespace)
{
	expect_one_problem(DOC("{'name':'a','parent':'eth0','subports':["
			       "{'name':'eth1','vlan':10}," NS_SP("eth1", 11, "''") "]}"),
			   "trunks[0].subports[1].netns", "it is empty");
	vt_diag_free(&diags);
	expect_invalid(parse(DOC("{'name':'a','parent':'eth0','subports':["
				 NS_SP("x", 12, "'a b'") ",{'name':'y','vlan':13,'master':'x'}]}")));
	ck_assert_msg(diags.n == 1, "%zu diagnostics:%s", diags.n, all_diags());
}
END_TEST

/* The kernel keys a VLAN by (parent, protocol, id), wherever the device lives. */
START_TEST(test_netns_vlan_still_unique_per_parent)
{
	expect_one_problem(DOC("{'name':'a','parent':'eth0','subports':["
			       NS_SP("eth1", 10, "'ns1'") "," NS_SP("eth1", 10, "'ns2'") "]}"),
			   "trunks[0].subports[1].vlan",
			   "vlan 10 (802.1Q) on \"eth0\" is already used by subport \"eth1\"");
}
END_TEST

/* A master is a device of the subport's own namespace. */
START_TEST(test_netns_master)
{
	expect_one_problem(DOC("{'name':'a','parent':'eth0','subports':["
			       NS_SP("x", 1, "'ns1'") ",{'name':'y','vlan':2,'netns':'/run/netns/ns1',"
			       "'master':'x'}]}"),
			   "trunks[0].subports[1].master",
			   "\"x\" is subport \"x\" of trunk \"a\", a VLAN device, not a bridge");
	vt_diag_free(&diags);
	/* the same name elsewhere is another device: the bridge may well be called so */
	expect_valid(DOC("{'name':'a','parent':'eth0','subports':["
			 NS_SP("x", 1, "'ns1'") ",{'name':'y','vlan':2,'master':'x'},"
			 "{'name':'z','vlan':3},{'name':'w','vlan':4,'netns':'ns2','master':'z'},"
			 "{'name':'v','vlan':5,'netns':'ns2','master':'x'}]}"));
}
END_TEST

/*
 * A trunk's parent is a device of vlantrunk's own namespace: a subport of that
 * name in another namespace is not it, and the parent is the host's device
 * (every pod's eth1 on the host's NIC eth1).
 */
START_TEST(test_netns_parent_in_other_namespace)
{
	expect_valid(DOC("{'name':'a','parent':'eth0','subports':[" NS_SP("s", 10, "'pod1'")
			 "]},{'name':'b','parent':'s','subports':[{'name':'c','vlan':5}]}"));
	ck_assert_int_eq(desired.trunks[1].outer, -1);
	ck_assert_uint_eq(desired.trunks[1].depth, 0);
	vt_desired_free(&desired);
	expect_valid(DOC("{'name':'a','parent':'eth1','subports':["
			 NS_SP("eth1", 10, "'/proc/9/ns/net'") "]}"));
	ck_assert_int_eq(desired.trunks[0].outer, -1);
}
END_TEST

/* A subport of that name in vlantrunk's own namespace is the outer one, as ever. */
START_TEST(test_netns_parent_own_namespace_wins)
{
	expect_valid(DOC("{'name':'x','parent':'eth1','subports':[" NS_SP("s", 10, "'pod1'") "]},"
			 "{'name':'b','parent':'s','subports':[" NS_SP("c", 5, "'pod2'") "]},"
			 "{'name':'a','parent':'eth0','subports':[{'name':'s','vlan':10}]}"));
	ck_assert_int_eq(desired.trunks[0].outer, -1);
	ck_assert_int_eq(desired.trunks[1].outer, 2);
	ck_assert_uint_eq(desired.trunks[1].depth, 1);
	ck_assert_str_eq(desired.trunks[1].subports[0].netns, "pod2");
}
END_TEST

#define N_CASES(cases) ((int)(sizeof(cases) / sizeof((cases)[0])))

Suite *desired_suite(void)
{
	Suite *suite = suite_create("desired");
	TCase *values = tcase_create("values");
	TCase *problems = tcase_create("problems");
	TCase *cross = tcase_create("across trunks");
	TCase *files = tcase_create("files");
	TCase *limits = tcase_create("limits");
	TCase *netns = tcase_create("netns");

	tcase_add_checked_fixture(values, setup, teardown);
	tcase_add_test(values, test_spec_example);
	tcase_add_test(values, test_defaults);
	tcase_add_test(values, test_booleans_set);
	tcase_add_loop_test(values, test_vlan_flags, 0, N_CASES(flag_cases));
	tcase_add_loop_test(values, test_valid_boundaries, 0, N_CASES(valid_cases));
	tcase_add_test(values, test_egress_normalised);
	tcase_add_test(values, test_egress_all_zero_is_empty);
	tcase_add_test(values, test_qos_leading_zeros);
	suite_add_tcase(suite, values);

	tcase_add_checked_fixture(problems, setup, teardown);
	tcase_add_loop_test(problems, test_one_problem, 0, N_CASES(problem_cases));
	tcase_add_test(problems, test_syntax_error_line_column);
	tcase_add_test(problems, test_duplicate_key_is_an_error);
	tcase_add_test(problems, test_empty_and_truncated_input);
	tcase_add_test(problems, test_embedded_nul_byte);
	tcase_add_test(problems, test_every_problem_reported);
	tcase_add_test(problems, test_diag_context);
	tcase_add_test(problems, test_control_characters_not_echoed);
	tcase_add_test(problems, test_diag_format);
	tcase_add_test(problems, test_diags_capped);
	tcase_add_test(problems, test_diags_appended);
	suite_add_tcase(suite, problems);

	tcase_add_checked_fixture(cross, setup, teardown);
	tcase_add_test(cross, test_same_vlan_other_protocol_or_parent);
	tcase_add_test(cross, test_qinq_outer_and_depth);
	tcase_add_test(cross, test_qinq_outer_need_not_be_8021ad);
	tcase_add_test(cross, test_qinq_two_trunks_on_one_subport);
	tcase_add_test(cross, test_qinq_cycle_of_two);
	tcase_add_test(cross, test_qinq_longer_cycle);
	tcase_add_test(cross, test_qinq_self_parenting);
	suite_add_tcase(suite, cross);

	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, test_load_file);
	tcase_add_test(files, test_load_file_with_problem);
	tcase_add_test(files, test_directory_merged_in_lexical_order);
	tcase_add_test(files, test_directory_duplicate_trunk_across_files);
	tcase_add_test(files, test_directory_qinq_across_files);
	tcase_add_test(files, test_directory_problems_in_several_files);
	tcase_add_test(files, test_directory_without_json);
	tcase_add_test(files, test_directory_dangling_symlink);
	tcase_add_test(files, test_directory_symlinked_file);
	tcase_add_test(files, test_missing_path);
	tcase_add_test(files, test_fifo_path);
	tcase_add_test(files, test_explicit_empty_trunks);
	tcase_add_test(files, test_file_too_big);
	suite_add_tcase(suite, files);

	tcase_add_checked_fixture(limits, setup, teardown);
	/* generous for valgrind */
	tcase_set_timeout(limits, 120);
	tcase_add_test(limits, test_nesting_limit);
	tcase_add_test(limits, test_nesting_limit_ignores_strings);
	tcase_add_test(limits, test_values_limit);
	tcase_add_test(limits, test_egress_limit);
	tcase_add_test(limits, test_subports_limit);
	tcase_add_test(limits, test_trunks_limit);
	tcase_add_test(limits, test_directory_file_limit);
	suite_add_tcase(suite, limits);

	tcase_add_checked_fixture(netns, setup, teardown);
	tcase_add_loop_test(netns, test_netns_forms, 0, N_CASES(netns_forms));
	tcase_add_test(netns, test_netns_longest);
	tcase_add_loop_test(netns, test_netns_problems, 0, N_CASES(netns_problems));
	tcase_add_test(netns, test_netns_too_long);
	tcase_add_test(netns, test_netns_key_typo);
	tcase_add_test(netns, test_netns_nul);
	tcase_add_test(netns, test_netns_with_other_problems);
	tcase_add_test(netns, test_netns_path);
	tcase_add_test(netns, test_netns_names_unique_per_namespace);
	tcase_add_loop_test(netns, test_netns_duplicate_names, 0, N_CASES(netns_duplicates));
	tcase_add_test(netns, test_netns_invalid_not_own_namespace);
	tcase_add_test(netns, test_netns_vlan_still_unique_per_parent);
	tcase_add_test(netns, test_netns_master);
	tcase_add_test(netns, test_netns_parent_in_other_namespace);
	tcase_add_test(netns, test_netns_parent_own_namespace_wins);
	suite_add_tcase(suite, netns);
	return suite;
}
