"""A real OpenLDAP server (Debian's slapd) for the directory sign-in tests, on 127.0.0.1 at a free port.

The fixture writes a slapd.conf and an LDIF into a temporary folder, loads it with slapadd, starts
``slapd -h ldap://127.0.0.1:PORT/`` in the foreground and stops it afterwards. Without slapd the tests
are skipped, unless REQUIRE_SSO=1 (or REQUIRE_BROWSER=1, as in .ci/run) makes that a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SLAPD, SLAPADD = shutil.which("slapd") or "/usr/sbin/slapd", shutil.which("slapadd") or "/usr/sbin/slapadd"
SUFFIX = "dc=xinntian,dc=edu,dc=cn"
PEOPLE = f"ou=people,{SUFFIX}"
READER_DN, READER_PASSWORD = f"cn=reader,{SUFFIX}", "reader-pass"

# Active Directory's account flags, for an OpenLDAP that plays AD (a private test OID arc).
AD_SCHEMA = """
attributetype ( 1.3.6.1.4.1.55555.1.1 NAME 'userAccountControl'
    EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.55555.2.1 NAME 'testAdAccount' AUXILIARY MAY ( userAccountControl ) )
"""


@dataclass(frozen=True)
class Person:
    uid: str
    password: str
    name: str
    mail: str
    school: str  # departmentNumber
    staff: str  # employeeNumber
    employee_type: str = "staff"
    account_control: int | None = None  # AD's userAccountControl (512 normal, 514 disabled)


PEOPLE_LOADED = [
    Person("wangli", "wang-pass-1", "王丽", "wang.li@xt.example.cn", "3301020001", "T1001"),
    Person("zhaoqiang", "zhao-pass-1", "赵强", "zhao.q@xt.example.cn", "3301020001", "T1002",
           employee_type="disabled"),
    Person("sunmei", "sun-pass-1", "孙梅", "sun.mei@xt.example.cn", "3301020001", "T1003", account_control=514),
    Person("liuyang", "liu-pass-1", "刘洋", "liu.yang@xt.example.cn", "3301020001", "T1004", account_control=512),
    Person("chenjing", "chen-pass-1", "陈静", "Chen.Jing@XT.example.cn", "3301020001", "T1005"),
]


def _entry(person: Person) -> str:
    lines = [f"dn: uid={person.uid},{PEOPLE}", "objectClass: inetOrgPerson"]
    if person.account_control is not None:
        lines += ["objectClass: testAdAccount", f"userAccountControl: {person.account_control}"]
    lines += [f"uid: {person.uid}", f"cn: {person.uid}", f"sn: {person.uid}", f"displayName: {person.name}",
              f"mail: {person.mail}", f"departmentNumber: {person.school}", f"employeeNumber: {person.staff}",
              f"employeeType: {person.employee_type}", f"userPassword: {person.password}"]
    return "\n".join(lines)


def _ldif() -> str:
    entries = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: xinntian\no: 新天学区",
               f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
               f"dn: {READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
               f"cn: reader\nuserPassword: {READER_PASSWORD}"]
    return "\n\n".join(entries + [_entry(p) for p in PEOPLE_LOADED]) + "\n"


def _config(folder: Path) -> str:
    return f"""
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include {folder}/ad.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "cn=admin,{SUFFIX}"
rootpw admin-not-used
directory {folder}/data
access to attrs=userPassword by self read by anonymous auth by * none
access to * by users read by * none
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd stopped: {(folder / 'slapd.log').read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)  # slapd opens its port within a few ms
    raise RuntimeError("slapd did not open its port in 15 s")


def require_slapd() -> None:
    if os.path.exists(SLAPD) and os.path.exists(SLAPADD):
        return
    reason = "OpenLDAP's slapd is not installed (apt-get install slapd ldap-utils)"
    if os.environ.get("REQUIRE_SSO") == "1" or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(reason + "; REQUIRE_SSO/REQUIRE_BROWSER demands the directory tests")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def slapd_url(tmp_path_factory):
    """ldap://127.0.0.1:PORT of a slapd loaded with PEOPLE_LOADED, for the whole test session."""
    require_slapd()
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "data").mkdir()
    (folder / "ad.schema").write_text(AD_SCHEMA)
    (folder / "slapd.conf").write_text(_config(folder))
    (folder / "people.ldif").write_text(_ldif(), encoding="utf-8")
    subprocess.run([SLAPADD, "-f", str(folder / "slapd.conf"), "-l", str(folder / "people.ldif")], check=True,
                   capture_output=True)
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}/"
    with open(folder / "slapd.log", "w") as log:
        process = subprocess.Popen([SLAPD, "-f", str(folder / "slapd.conf"), "-h", url, "-d", "0"],
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, process, folder)
        yield url.rstrip("/")
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
