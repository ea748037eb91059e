# The passive membrane of passive.nrn in closed form, sampled every 0.5 ms to 200 ms:
# header t_ms,0,1, neuron j driven by (j + 1) * 0.1 nA from 20 to 120 ms.
# Variables: tau (ms), R (Mohm), sigma (mV, Gaussian noise added; 0 for none), seed.
function gauss() {   # Box-Muller
    return sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand())
}
BEGIN {
    srand(seed)
    EL = -70
    print "t_ms,0,1"
    for (k = 0; k <= 400; k++) {
        t = k * 0.5
        line = t
        for (j = 0; j < 2; j++) {
            plateau = R * 0.1 * (j + 1)      # Mohm * nA = mV
            if (t <= 20) v = EL
            else if (t <= 120) v = EL + plateau * (1 - exp(-(t - 20) / tau))
            else v = EL + plateau * (1 - exp(-100 / tau)) * exp(-(t - 120) / tau)
            if (sigma > 0) v += sigma * gauss()
            line = line "," sprintf("%.10g", v)
        }
        print line
    }
}
