# A run stopped by a signal keeps what it computed: SIGINT (^C) exits 130 with status
# "interrupted", SIGTERM (batch schedulers, `timeout`) 143 and SIGHUP (a closed terminal)
# 129 with status "terminated"; summary.json names the signal, and spikes.csv holds whole
# rows only. The same for a simulator from `nrnc build`.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/long.nrn" <<'EOF'
import lif
network Long {
    population L = LIF[2000]
    L.I_e = 0.2 nA + 0.2 nA * rand()
    record spikes of L
    record v of L[0:3] every 1 ms
}
simulate Long for 100000 s
EOF
# stop SIGNAL WANT_EXIT WANT_STATUS CMD...: starts CMD (writing a fresh folder), waits
# until it is simulating, sends SIGNAL, and checks what it left
runs=0
stop() {
    sig=$1 want=$2 status=$3; shift 3
    runs=$((runs + 1))
    out=$WORK/out_${sig}_$runs
    "$@" --out "$out" --quiet &
    pid=$!
    n=0
    until [ -s "$out/spikes.csv" ] && [ "$(wc -l < "$out/spikes.csv")" -gt 100 ]; do
        n=$((n + 1)); [ $n -lt 600 ] || { kill -9 $pid; fail "$sig: no spikes after 60 s"; }
        sleep 0.1
    done
    kill -"$sig" $pid
    set +e; wait $pid; rc=$?; set -e
    [ "$rc" = "$want" ] || fail "$sig: exit code $rc, expected $want"
    grep -q "\"status\": \"$status\"" "$out/summary.json" || { cat "$out/summary.json"; fail "$sig: status"; }
    grep -q "\"signal\": \"SIG$sig\"" "$out/summary.json" || { cat "$out/summary.json"; fail "$sig: signal"; }
    [ "$(tail -c 1 "$out/spikes.csv" | od -An -c | tr -d ' ')" = '\n' ] || fail "$sig: spikes.csv ends mid-row"
    awk -F, 'NF != 3 { exit 1 }' "$out/spikes.csv" || fail "$sig: spikes.csv has a broken row"
    echo "SIG$sig: exit $rc, $(wc -l < "$out/spikes.csv") rows, status $status"
}
stop INT 130 interrupted "$NRNC" run "$WORK/long.nrn"
stop TERM 143 terminated "$NRNC" run "$WORK/long.nrn"
stop HUP 129 terminated "$NRNC" run "$WORK/long.nrn"
"$NRNC" build "$WORK/long.nrn" -o "$WORK/sim" || fail "nrnc build"
stop TERM 143 terminated "$WORK/sim"
echo ok
