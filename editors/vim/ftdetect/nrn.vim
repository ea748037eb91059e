" .nrn models of nrnc (spiking-neuron models)
autocmd BufNewFile,BufRead *.nrn setfiletype nrn
