#!/usr/bin/python3
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
"""Ansible module for vlantrunk: write its desired state, then reconcile."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vlantrunk
short_description: Make a host's VLAN subinterfaces match a declared set of trunks with vlantrunk
description:
  - Writes a vlantrunk desired-state file (the given trunks, and version 1) to I(dest),
    atomically and only when its content changes, then runs
    C(vlantrunk -c CONFIG --json reconcile), which makes the kernel's VLAN subinterfaces
    match the whole desired state in one transaction per trunk, rolling back on failure.
  - Before anything is written, the new desired state is checked with C(vlantrunk --json plan)
    against a temporary copy of the configuration. An invalid desired state therefore fails
    the task and is never written to I(dest), where the vlantrunk agent would read it.
  - In check mode only that C(plan) runs; nothing is written and the kernel is not changed.
  - With C(--diff), the diff shows the desired-state file before and after, and the
    operations vlantrunk plans to run (C(+ create), C(- delete), C(~ change), C(> rename),
    C(± recreate)), and the trunks that cannot converge (C(!)).
  - changed and failed follow vlantrunk's exit codes (changed when 2, failed unless 0 or 2).
    The task also reports changed when the file changed, or when some trunks were changed
    while others failed (exit code 1).
version_added: "1.0.0"
author:
  - vlantrunk developers
requirements:
  - the vlantrunk binary on the managed host, run as root (CAP_NET_ADMIN)
  - Python 3 on the managed host
options:
  trunks:
    description:
      - The trunks, in vlantrunk's desired-state schema (see C(vlantrunk.json(5))).
        The module adds the document's version (1).
      - An empty list declares that this file wants no trunks, so vlantrunk deletes the
        managed subports of trunks that no file declares any more.
      - Mutually exclusive with I(src).
    type: list
    elements: dict
    suboptions:
      name:
        description: Trunk name, 1-64 of C([A-Za-z0-9_.-]), unique over all files.
        type: str
        required: true
      parent:
        description: The parent interface; may be another trunk's subport (QinQ).
        type: str
        required: true
      admin_state_up:
        description: When false, every subport is kept but administratively down.
        type: bool
      subports:
        description: One VLAN subinterface per segmentation id.
        type: list
        elements: dict
        suboptions:
          name:
            description: The interface name (1-15 bytes), unique on the host.
            type: str
            required: true
          vlan:
            description: The VLAN id, 1-4094, unique per parent and protocol.
            type: int
            required: true
          protocol:
            description: The VLAN protocol (vlantrunk's default is 802.1Q).
            type: str
            choices: ['802.1Q', '802.1ad']
          mtu:
            description: MTU, 68 up to the parent's; unset means not managed.
            type: int
          mac:
            description: Unicast MAC address; unset means not managed.
            type: str
          up:
            description: Administrative state (vlantrunk's default is up).
            type: bool
          master:
            description: An existing bridge to enslave the subport to; unset means not enslaved.
            type: str
          reorder_hdr:
            description: VLAN flag (kernel default true).
            type: bool
          gvrp:
            description: VLAN flag (kernel default false).
            type: bool
          mvrp:
            description: VLAN flag (kernel default false).
            type: bool
          loose_binding:
            description: VLAN flag (kernel default false).
            type: bool
          bridge_binding:
            description: VLAN flag (kernel default false).
            type: bool
          egress_qos:
            description: Map of skb priority (decimal string key) to PCP 0-7.
            type: dict
          ingress_qos:
            description: Map of PCP 0-7 (decimal string key) to skb priority.
            type: dict
          adopt:
            description:
              - Take over an existing VLAN device of this name that carries no alias,
                when its parent, vlan and protocol match.
            type: bool
          ipv6:
            description:
              - Whether the subport takes part in IPv6. False (vlantrunk's default) means
                address generation mode none and IPv6 disabled before it is first up;
                true leaves IPv6 as the kernel sets it up.
            type: bool
  src:
    description:
      - Path, on the managed host, of a complete vlantrunk desired-state document
        (an object with C(version) 1 and C(trunks)). Its bytes are written to I(dest) unchanged;
        vlantrunk validates them (errors name I(src), with line and column).
      - To use a file from the controller, read it there and pass its trunks, e.g.
        C(trunks) set to C({{ (lookup('file', 'trunks.json') | from_json).trunks }}).
      - Mutually exclusive with I(trunks).
    type: path
  dest:
    description:
      - Where the desired state is written. The file is replaced atomically through a
        hidden temporary file in the same directory (vlantrunk and its agent ignore
        files whose names start with a dot).
      - Its directory is created (mode 0755) when missing.
    type: path
    default: /etc/vlantrunk/trunks.d/50-ansible.json
  config:
    description:
      - What vlantrunk is given with C(-c). Either the directory of I(dest) (the default)
        or I(dest) itself.
      - The default is the directory because that directory is the host's whole desired
        state, as C(vlantrunk agent) and a manual C(vlantrunk reconcile) read it; vlantrunk
        deletes managed subports whose trunk no file declares, so reconciling I(dest) alone
        would tear down trunks declared by the other files of the directory.
      - Use I(dest) itself only when this file is the host's only desired state.
    type: path
  state_dir:
    description: vlantrunk's C(--state-dir) (lock, journal, status); vlantrunk's default is C(/run/vlantrunk).
    type: path
  binary:
    description: The vlantrunk program, a path or a name looked up on PATH (and the sbin directories).
    type: str
    default: vlantrunk
  trunk:
    description:
      - Only plan and reconcile these trunks (C(--trunk NAME) each). The file is still
        written in full.
    type: list
    elements: str
  wait:
    description: C(reconcile --wait SECONDS), how long to wait for the lock (vlantrunk's default is 30).
    type: int
  atomic:
    description: C(reconcile --atomic), one transaction for all trunks.
    type: bool
    default: false
notes:
  - Supports check mode (runs C(vlantrunk plan) against a temporary copy of the configuration)
    and diff mode.
  - C(plan), in check mode too, first recovers an interrupted vlantrunk transaction if its
    journal is found in the state dir, as every vlantrunk command does.
  - Unknown keys in I(trunks) are refused by Ansible's argument validation; the values are
    validated by vlantrunk, whose messages name the file, trunk, subport and field.
  - The manual pages vlantrunk(8) and vlantrunk.json(5) describe the command, its exit codes,
    its JSON output and the desired-state schema.
'''

EXAMPLES = r'''
- name: Trunks of this compute host
  vlantrunk:
    trunks:
      - name: vm-42
        parent: tap4f2a9c1e-07
        subports:
          - { name: sp4f2a9c1e-07, vlan: 101 }
          - { name: svc-200, vlan: 200, protocol: 802.1ad, mtu: 1496 }

- name: The desired state from a file already on the host, limited to one trunk
  vlantrunk:
    src: /srv/trunks/host.json
    trunk: [vm-42]

- name: Remove every trunk this file declared (their managed subports are deleted)
  vlantrunk:
    trunks: []

- name: A private config and state dir, vlantrunk from a build tree
  vlantrunk:
    trunks: "{{ my_trunks }}"
    dest: /run/vt/conf/50-ansible.json
    state_dir: /run/vt/state
    binary: /opt/vlantrunk/build/vlantrunk
  register: vt

- name: Show what changed
  debug:
    var: vt.operations
'''

RETURN = r'''
result:
  description:
    - The JSON document vlantrunk printed (C(reconcile), or C(plan) in check mode, or the
      error document of exit codes 4 and 5). See vlantrunk(8) for its keys.
  returned: when vlantrunk printed one
  type: dict
  sample: {"command": "reconcile", "result": "changed", "recovered_transaction": null,
           "trunks": [{"name": "vm-42", "status": "ACTIVE", "reason": "", "outcome": "applied",
                       "operations": 1, "operations_applied": 1, "requests_applied": 2,
                       "requests_rolled_back": 0, "errors": []}]}
exit_code:
  description:
    - vlantrunk's exit code (0 in sync, 1 not converged, 2 changed, 3 rollback incomplete,
      4 invalid, 5 cannot run).
    - Not called C(rc), which Ansible takes as failed when it is not 0; 2 is success here.
  returned: when vlantrunk ran
  type: int
  sample: 2
operations:
  description: The operations vlantrunk planned, one line each, as C(vlantrunk plan) prints them.
  returned: when the plan ran
  type: list
  elements: str
  sample: ["+ create sp4f2a9c1e-07 (tap4f2a9c1e-07, 802.1Q 101)", "~ change svc-200: mtu 1500 -> 1496"]
plan:
  description: The JSON document of the C(plan) that ran before anything was written.
  returned: when the plan ran
  type: dict
dest:
  description: The desired-state file.
  returned: always
  type: str
  sample: /etc/vlantrunk/trunks.d/50-ansible.json
config:
  description: The path given to vlantrunk with C(-c).
  returned: always
  type: str
  sample: /etc/vlantrunk/trunks.d
file_changed:
  description: Whether the desired-state file was (or, in check mode, would be) rewritten.
  returned: always
  type: bool
cmd:
  description:
    - The vlantrunk command that decided the outcome. In check mode (the plan), C(-c) names
      the configuration whose temporary copy the plan read.
  returned: when vlantrunk ran
  type: list
  elements: str
stderr:
  description: vlantrunk's log output.
  returned: when vlantrunk ran
  type: str
'''

import json
import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

# Key order of the file we write: as vlantrunk.json(5) lists them.
TRUNK_KEYS = ('name', 'parent', 'admin_state_up', 'subports')
SUBPORT_KEYS = ('name', 'vlan', 'protocol', 'mtu', 'mac', 'up', 'master', 'reorder_hdr', 'gvrp',
                'mvrp', 'loose_binding', 'bridge_binding', 'egress_qos', 'ingress_qos', 'adopt',
                'ipv6')

# Exit codes (vlantrunk(8)).
RC_OK = 0
RC_NOT_CONVERGED = 1
RC_CHANGED = 2
RC_ROLLBACK_INCOMPLETE = 3

SUBPORT_SPEC = dict(
    name=dict(type='str', required=True),
    vlan=dict(type='int', required=True),
    protocol=dict(type='str', choices=['802.1Q', '802.1ad']),
    mtu=dict(type='int'),
    mac=dict(type='str'),
    up=dict(type='bool'),
    master=dict(type='str'),
    reorder_hdr=dict(type='bool'),
    gvrp=dict(type='bool'),
    mvrp=dict(type='bool'),
    loose_binding=dict(type='bool'),
    bridge_binding=dict(type='bool'),
    egress_qos=dict(type='dict'),
    ingress_qos=dict(type='dict'),
    adopt=dict(type='bool'),
    ipv6=dict(type='bool'),
)

TRUNK_SPEC = dict(
    name=dict(type='str', required=True),
    parent=dict(type='str', required=True),
    admin_state_up=dict(type='bool'),
    subports=dict(type='list', elements='dict', options=SUBPORT_SPEC),
)


def ordered(obj, keys):
    """The set (not None) entries of obj, in the order of keys."""
    return dict((k, obj[k]) for k in keys if obj.get(k) is not None)


def render_trunks(trunks):
    """The desired-state document for the trunks argument, as bytes."""
    out = []
    for t in trunks:
        trunk = ordered(t, TRUNK_KEYS)
        if trunk.get('subports') is not None:
            trunk['subports'] = [ordered(s, SUBPORT_KEYS) for s in trunk['subports']]
        out.append(trunk)
    doc = {'version': 1, 'trunks': out}
    return to_bytes(json.dumps(doc, indent=2, ensure_ascii=False) + '\n')


def read_bytes(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except (IOError, OSError) as e:
        if getattr(e, 'errno', None) == 2:
            return None
        raise


def write_atomically(path, data):
    """Replace path by data: a hidden temporary file in the same directory, fsync, rename."""
    directory = os.path.dirname(path) or '.'
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    mode = 0o644
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.' + os.path.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    dfd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def mirror_config(config, dest, content, tmpdir):
    """A copy of what `-c config` reads, with dest holding content. Returns its path."""
    if config == dest:
        path = os.path.join(tmpdir, os.path.basename(dest))
        with open(path, 'wb') as f:
            f.write(content)
        return path
    path = os.path.join(tmpdir, 'config')
    os.mkdir(path, 0o700)
    if os.path.isdir(config):
        for name in os.listdir(config):
            # What vlantrunk reads of a directory: *.json, not hidden.
            if name.startswith('.') or not name.endswith('.json') or name == os.path.basename(dest):
                continue
            src = os.path.join(config, name)
            if os.path.isfile(src):
                shutil.copyfile(src, os.path.join(path, name))
    with open(os.path.join(path, os.path.basename(dest)), 'wb') as f:
        f.write(content)
    return path


def describe_changes(changes, skip=()):
    return ', '.join('%s %s -> %s' % (c.get('field'), c.get('old'), c.get('new'))
                     for c in changes or [] if c.get('field') not in skip)


def operation_lines(plan):
    """plan's JSON operations as `vlantrunk plan` prints them."""
    lines = []
    for op in plan.get('operations') or []:
        kind, dev = op.get('op'), op.get('device')
        if kind == 'create':
            lines.append('+ create %s (%s, %s %s)' % (dev, op.get('parent'), op.get('protocol'), op.get('vlan')))
        elif kind == 'delete':
            lines.append('- delete %s' % dev)
        elif kind == 'change':
            lines.append('~ change %s: %s' % (dev, describe_changes(op.get('changes'))))
        elif kind == 'rename':
            what = describe_changes(op.get('changes'), skip=('name',))
            lines.append('> rename %s -> %s%s' % (dev, op.get('new_name'), ': ' + what if what else ''))
        elif kind == 'recreate':
            lines.append(u'\u00b1 recreate %s: %s' % (dev, describe_changes(op.get('changes'))))
        else:
            lines.append('? %s %s' % (kind, dev))
    for t in plan.get('trunks') or []:
        if not t.get('can_converge', True):
            lines.append('! trunk %s: %s: %s' % (t.get('name'), t.get('status'), t.get('reason')))
    return lines


def error_message(doc, rc, stderr, paths):
    """What went wrong, from vlantrunk's JSON document (or its stderr)."""
    def unmirror(text):
        text = to_text(text)
        for tmp, real in paths:
            text = text.replace(tmp, real)
        return text

    if not isinstance(doc, dict):
        err = to_text(stderr).strip() or 'no output'
        return unmirror('vlantrunk exited %s without a JSON document: %s' % (rc, err))
    if doc.get('error'):
        parts = []
        for d in doc.get('diagnostics') or []:
            where = [unmirror(d['file'])] if d.get('file') else []
            if d.get('line'):
                where[-1:] = ['%s:%s:%s' % (where[-1] if where else '', d['line'], d.get('column', 0))]
            if d.get('trunk'):
                where.append('trunk %s' % d['trunk'])
            if d.get('subport'):
                where.append('subport %s' % d['subport'])
            if d.get('field'):
                where.append(d['field'])
            parts.append('%s: %s' % (', '.join(where), d.get('message')) if where else d.get('message'))
        msg = unmirror(doc['error'])
        if parts:
            msg += ': ' + '; '.join(parts)
        if doc.get('hint'):
            msg += ' (%s)' % unmirror(doc['hint'])
        return msg
    parts = []
    for t in doc.get('trunks') or []:
        errors = [e for e in t.get('errors') or [] if e]
        if not errors and 'can_converge' in t and not t['can_converge']:
            errors = [t.get('reason')]
        if not errors and t.get('outcome') in ('rolled_back', 'rollback_incomplete', 'skipped'):
            errors = [t.get('reason') or t.get('outcome')]
        if errors:
            parts.append('trunk %s: %s: %s' % (t.get('name'), t.get('status'), '; '.join(errors)))
    if rc == RC_ROLLBACK_INCOMPLETE:
        prefix = 'rollback incomplete, the journal is kept and the next run retries recovery'
    elif doc.get('command') == 'plan':
        prefix = 'some trunks cannot converge'
    else:
        prefix = 'some trunks did not converge'
    return prefix + (': ' + ' | '.join(parts) if parts else ' (vlantrunk exit %s)' % rc)


class Runner(object):
    def __init__(self, module, binary, config):
        self.module = module
        self.binary = binary
        self.config = config

    def run(self, config, command):
        p = self.module.params
        cmd = [self.binary, '-c', config]
        if p['state_dir']:
            cmd += ['--state-dir', p['state_dir']]
        cmd += ['--json', command]
        for name in p['trunk'] or []:
            cmd += ['--trunk', name]
        if command == 'reconcile':
            if p['wait'] is not None:
                cmd += ['--wait', str(p['wait'])]
            if p['atomic']:
                cmd.append('--atomic')
        rc, out, err = self.module.run_command(cmd, environ_update={'LC_ALL': 'C'})
        try:
            doc = json.loads(out) if out.strip() else None
        except ValueError:
            doc = None
        return cmd, rc, doc, err


def main():
    module = AnsibleModule(
        argument_spec=dict(
            trunks=dict(type='list', elements='dict', options=TRUNK_SPEC),
            src=dict(type='path'),
            dest=dict(type='path', default='/etc/vlantrunk/trunks.d/50-ansible.json'),
            config=dict(type='path'),
            state_dir=dict(type='path'),
            binary=dict(type='str', default='vlantrunk'),
            trunk=dict(type='list', elements='str'),
            wait=dict(type='int'),
            atomic=dict(type='bool', default=False),
        ),
        required_one_of=[('trunks', 'src')],
        mutually_exclusive=[('trunks', 'src')],
        supports_check_mode=True,
    )
    p = module.params
    dest = os.path.abspath(p['dest'])
    config = os.path.abspath(p['config']) if p['config'] else os.path.dirname(dest)
    ret = dict(changed=False, dest=dest, config=config, file_changed=False)

    if config != dest and config != os.path.dirname(dest):
        module.fail_json(msg='config must be dest (%s) or its directory (%s): vlantrunk -c %s would not '
                             'read dest' % (dest, os.path.dirname(dest), config), **ret)
    if config == dest and os.path.isdir(dest):
        module.fail_json(msg='dest %s is a directory; it must name a file' % dest, **ret)

    binary = p['binary']
    if os.sep in binary:
        if not os.access(binary, os.X_OK):
            module.fail_json(msg='binary %s is not an executable file' % binary, **ret)
        binary = os.path.abspath(binary)
    else:
        binary = module.get_bin_path(binary, required=True, opt_dirs=['/usr/local/sbin', '/usr/sbin', '/sbin'])

    if p['src'] is not None:
        try:
            content = read_bytes(p['src'])
        except (IOError, OSError) as e:
            module.fail_json(msg='cannot read src %s: %s' % (p['src'], to_native(e)), **ret)
        if content is None:
            module.fail_json(msg='src %s does not exist' % p['src'], **ret)
    else:
        content = render_trunks(p['trunks'])

    try:
        before = read_bytes(dest)
    except (IOError, OSError) as e:
        module.fail_json(msg='cannot read dest %s: %s' % (dest, to_native(e)), **ret)
    file_changed = before != content
    ret['file_changed'] = file_changed

    diffs = []
    if module._diff:
        diffs.append(dict(before_header=dest, after_header=dest,
                          before=to_text(before or b'', errors='surrogate_or_replace'),
                          after=to_text(content, errors='surrogate_or_replace')))
    runner = Runner(module, binary, config)

    # 1. The plan, against a private copy of the configuration with the new file:
    # it validates the desired state before it can reach dest, and says what would change.
    tmpdir = tempfile.mkdtemp(prefix='vlantrunk-ansible-')
    try:
        mirror = mirror_config(config, dest, content, tmpdir)
        cmd, rc, doc, err = runner.run(mirror, 'plan')
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    # Messages name the file the user knows: src, or dest and the real config directory.
    dest_in_mirror = os.path.join(mirror, os.path.basename(dest)) if config != dest else mirror
    paths = [(dest_in_mirror, p['src'] if p['src'] is not None else dest), (mirror, config)]
    if isinstance(doc, dict):
        ret['plan'] = doc
    ret.update(cmd=[config if a == mirror else a for a in cmd], exit_code=rc, stderr=err)

    if isinstance(doc, dict) and 'operations' in doc:
        ops = operation_lines(doc)
        ret['operations'] = ops
        if module._diff:
            text = '\n'.join(ops) if ops else 'in sync: nothing to do'
            diffs.append(dict(prepared='vlantrunk plan (%s):\n%s\n' % (config, text)))
    if diffs:
        ret['diff'] = diffs

    if rc not in (RC_OK, RC_CHANGED, RC_NOT_CONVERGED) or module.check_mode:
        if isinstance(doc, dict):
            ret['result'] = doc
        # Invalid (4), cannot run (5): nothing was written. In check mode the plan is the answer.
        if rc not in (RC_OK, RC_CHANGED):
            module.fail_json(msg=error_message(doc, rc, err, paths), **ret)
        ret['changed'] = file_changed or rc == RC_CHANGED
        module.exit_json(**ret)

    # 2. Write the desired state, then reconcile the kernel with it.
    if file_changed:
        try:
            write_atomically(dest, content)
        except (IOError, OSError) as e:
            module.fail_json(msg='cannot write %s: %s' % (dest, to_native(e)), **ret)
    cmd, rc, doc, err = runner.run(config, 'reconcile')
    ret.update(cmd=cmd, exit_code=rc, stderr=err)
    if isinstance(doc, dict):
        ret['result'] = doc
    applied = isinstance(doc, dict) and any(
        t.get('outcome') == 'applied' and t.get('operations_applied') for t in doc.get('trunks') or [])
    ret['changed'] = file_changed or rc == RC_CHANGED or applied
    if rc not in (RC_OK, RC_CHANGED):
        module.fail_json(msg=error_message(doc, rc, err, []), **ret)
    module.exit_json(**ret)


if __name__ == '__main__':
    main()
