# examples/embed/closed_loop.c: a C program that runs plant.nrn (a model library from
# `nrnc build --lib`) in closed loop, setting its input current from its rate every
# 10 ms. Built here against the build tree's header; the install test builds it against
# an installed prefix. The controller must bring the rate to each of two targets.
. "$(dirname "$0")/../lib.sh"
EX=$HERE/../../examples/embed
mkdir -p "$WORK/include/nrnc"
cp "$HERE/../../runtime/nrnrt.h" "$WORK/include/nrnc/"
expect_exit 0 "$NRNC" build --lib "$EX/plant.nrn" -o "$WORK/libplant.so"
# a sanitizer build of nrnc builds sanitized libraries: the program must be one too
san=""
if nm -D "$WORK/libplant.so" | grep -q __asan; then san="-fsanitize=address,undefined"; fi
cc -std=c17 -O2 -Wall -Wextra -Werror $san -I"$WORK/include" "$EX/closed_loop.c" -o "$WORK/closed_loop" \
    -L"$WORK" -lplant -Wl,-rpath,"$WORK" -lm || fail "closed_loop.c does not build"
for target in 15 30; do
    "$WORK/closed_loop" $target >"$WORK/out.$target" || { cat "$WORK/out.$target"; fail "target $target Hz not reached"; }
    [ "$(wc -l < "$WORK/out.$target")" = 3 ] || fail "one line per simulated second expected"
    last=$(tail -n 1 "$WORK/out.$target" | sed 's/.*rate \([0-9.]*\) Hz.*/\1/')
    awk -v r="$last" -v t=$target 'BEGIN { exit !(r > 0.9 * t && r < 1.1 * t) }' || fail "rate $last Hz for $target"
done
# the controller needs more current for more spikes
i15=$(tail -n 1 "$WORK/out.15" | sed 's/.*I_e \([-0-9.]*\) nA/\1/')
i30=$(tail -n 1 "$WORK/out.30" | sed 's/.*I_e \([-0-9.]*\) nA/\1/')
awk -v a="$i15" -v b="$i30" 'BEGIN { exit !(b > a) }' || fail "I_e for 30 Hz ($i30) should exceed I_e for 15 Hz ($i15)"
echo ok
