"""
A throw-away OpenLDAP server (Debian's slapd) for the LDAP tests: its own config file, database and TLS
certificates in a temporary directory, listening on loopback ports (plain LDAP with StartTLS, and LDAPS), seeded
with people and groups by slapadd before it starts.
"""
import shutil
import socket
import subprocess
import time
from pathlib import Path

SLAPD = shutil.which('slapd') or '/usr/sbin/slapd'
SLAPADD = shutil.which('slapadd') or '/usr/sbin/slapadd'
SCHEMA_DIR = Path('/etc/ldap/schema')
MODULE_DIR = Path('/usr/lib/ldap')

BASE_DN = 'dc=example,dc=org'
ADMIN_DN = f'cn=admin,{BASE_DN}'
ADMIN_PASSWORD = 'admin-secret'
PEOPLE = f'ou=people,{BASE_DN}'
GROUPS = f'ou=groups,{BASE_DN}'

# username: (given name, surname, password, groups)
USERS = {
    'alice': ('Alice', 'Anders', 'alice-pw', ['netops', 'admins', 'active']),
    'bob': ('Bob', 'Brown', 'bob-pw', ['netops']),
    'carol': ('Carol', 'Clark', 'carol-pw', ['active', 'disabled']),
    'dave': ('Dave', 'Dunn', 'dave-pw', ['active', 'readers']),
}
GROUP_NAMES = ('netops', 'admins', 'active', 'disabled', 'readers')


def user_dn(username):
    return f'uid={username},{PEOPLE}'


def group_dn(name):
    return f'cn={name},{GROUPS}'


def available():
    return Path(SLAPD).exists() and Path(SLAPADD).exists() and (SCHEMA_DIR / 'inetorgperson.schema').exists()


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _seed_ldif():
    entries = [
        f'dn: {BASE_DN}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example',
        f'dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people',
        f'dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups',
    ]
    for username, (given, surname, password, _) in USERS.items():
        entries.append(
            f'dn: {user_dn(username)}\nobjectClass: inetOrgPerson\nuid: {username}\ncn: {given} {surname}\n'
            f'givenName: {given}\nsn: {surname}\nmail: {username}@example.org\nuserPassword: {password}'
        )
    for name in GROUP_NAMES:
        members = [user_dn(username) for username, (*_, groups) in USERS.items() if name in groups]
        lines = [f'dn: {group_dn(name)}', 'objectClass: groupOfNames', f'cn: {name}']
        # groupOfNames needs at least one member: every group also names the admin, so tests may remove people.
        lines += [f'member: {dn}' for dn in [ADMIN_DN, *members]]
        entries.append('\n'.join(lines))
    return '\n\n'.join(entries) + '\n'


def _certificates(directory):
    """A CA and a server certificate for 127.0.0.1/localhost signed by it (openssl command line)."""
    def run(*args):
        subprocess.run(['openssl', *args], cwd=directory, check=True, capture_output=True)

    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
        '-subj', '/CN=NetBox test CA')
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr',
        '-subj', '/CN=localhost')
    (directory / 'san.ext').write_text('subjectAltName=DNS:localhost,IP:127.0.0.1\n')
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
        '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext')


class LDAPServer:
    """Start with start(), stop with stop(); `uri`, `ldaps_uri` and `ca_file` say how to reach it."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = _free_port()
        self.ldaps_port = _free_port()
        self.uri = f'ldap://127.0.0.1:{self.port}'
        self.ldaps_uri = f'ldaps://127.0.0.1:{self.ldaps_port}'
        self.ca_file = str(self.directory / 'ca.crt')
        self.process = None

    def _write_config(self):
        database = self.directory / 'db'
        database.mkdir()
        schemas = '\n'.join(f'include {SCHEMA_DIR / name}.schema' for name in ('core', 'cosine', 'inetorgperson'))
        config = f"""{schemas}
pidfile {self.directory / 'slapd.pid'}
modulepath {MODULE_DIR}
moduleload back_mdb
TLSCACertificateFile {self.directory / 'ca.crt'}
TLSCertificateFile {self.directory / 'server.crt'}
TLSCertificateKeyFile {self.directory / 'server.key'}

database mdb
maxsize 16777216
suffix "{BASE_DN}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {database}
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
"""
        path = self.directory / 'slapd.conf'
        path.write_text(config)
        return path

    def start(self):
        _certificates(self.directory)
        config = self._write_config()
        seed = self.directory / 'seed.ldif'
        seed.write_text(_seed_ldif())
        subprocess.run([SLAPADD, '-f', str(config), '-l', str(seed)], check=True, capture_output=True)
        self.process = subprocess.Popen(
            [SLAPD, '-f', str(config), '-h', f'ldap://127.0.0.1:{self.port}/ ldaps://127.0.0.1:{self.ldaps_port}/',
             '-d', '0'],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'slapd exited: {self.process.stderr.read().decode(errors="replace")[-2000:]}')
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError('slapd did not start listening within 20 seconds')

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def modify(self, dn, changes):
        """Apply [(ldap.MOD_*, attribute, [values])] as the directory admin."""
        import ldap

        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        try:
            connection.modify_s(dn, [(op, attr, [v.encode() for v in values]) for op, attr, values in changes])
        finally:
            connection.unbind_s()
