#!/usr/bin/env bash
# A throw-away OpenLDAP directory for the tests: `scripts/ldap-test-server.sh <dir> <port>` loads
# platform/tests/fixtures/ldap/directory.ldif into a new database under <dir> and starts Debian's slapd
# on 127.0.0.1:<port> (pid in <dir>/slapd.pid: `kill "$(cat <dir>/slapd.pid)"` stops it). Suffix
# dc=sportello,dc=test, administrator cn=admin,dc=sportello,dc=test with password ldap-test-admin; Sportello
# searches as cn=sportello,ou=servizi,dc=sportello,dc=test (password Servizio.2026).
set -euo pipefail
DIR=$1
PORT=$2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$DIR/data"
cat >"$DIR/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $DIR/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "dc=sportello,dc=test"
rootdn "cn=admin,dc=sportello,dc=test"
rootpw ldap-test-admin
directory $DIR/data
index objectClass,uid,member eq
# As a comune's directory would be: passwords only for binding, entries readable by their owner and by
# Sportello's service account, nothing for anonymous clients.
access to attrs=userPassword by self =xw by anonymous auth by * none
access to * by dn.exact="cn=sportello,ou=servizi,dc=sportello,dc=test" read by self read by * none
CONF
/usr/sbin/slapadd -q -f "$DIR/slapd.conf" -l "$ROOT/platform/tests/fixtures/ldap/directory.ldif"
/usr/sbin/slapd -f "$DIR/slapd.conf" -h "ldap://127.0.0.1:$PORT/"
for _ in $(seq 50); do
  ldapsearch -x -H "ldap://127.0.0.1:$PORT/" -D cn=admin,dc=sportello,dc=test -w ldap-test-admin -b dc=sportello,dc=test -s base '(objectClass=*)' dn >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "slapd did not start on port $PORT" >&2
exit 1
