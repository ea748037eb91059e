" Vim syntax file
" Language:    nrn (spiking-neuron models of nrnc)
" Maintainer:  nrnc
" Classifies what editors/vscode/syntaxes/nrn.tmLanguage.json does: comments, strings,
" keywords, quantities (a number and its unit), unit annotations, dX/dt, builtins.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn keyword nrnDeclaration neuron synapse network function param state let input population table
syn keyword nrnStatement   import threshold reset refractory method connect record simulate
syn keyword nrnStatement   on_pre on_post summed event
syn keyword nrnConditional if else
syn keyword nrnOperatorWord and or not
syn keyword nrnBoolean     true false
syn keyword nrnPositional  hold for seed every of using as times file
syn match   nrnPositional  "^\s*\zs\(rule\|weight\|delay\)\>"
" (after a keyword, which Vim matches first, only a look-behind sees it)
syn match   nrnPositional  "\%(\<record\s\+\)\@<=\%(spikes\|rate\)\ze\s\+of\>"
syn match   nrnPositional  "\<poisson\ze\s*("
syn keyword nrnFunction    exp log log10 sqrt abs sin cos tan tanh sinh cosh atan pow min max
syn keyword nrnFunction    clip floor ceil sign rand randn uniform normal
syn keyword nrnFunction    prob one_to_one fixed_indegree fixed_outdegree allow_self
syn keyword nrnBuiltin     t dt pi i N pre post xi
syn match   nrnBuiltin     "\<xi_\w\+\>"

" a unit term: mV, uA/cm^2, 1/ms, Mohm
let s:unit = '\%(1\|[fpnumckMG]\=\%(s\|V\|A\|ohm\|S\|F\|Hz\|C\|M\|mol\|m\|g\|K\)\|second\|volt\|amp\|siemens\|farad\|hertz\|coulomb\|molar\|metre\|meter\|cm2\|um2\)\%(^-\=\d\+\)\='
let s:term = s:unit . '\%(/' . s:unit . '\)*\>'
" quantities: the number, then (optionally) its unit
syn match   nrnNumber      "\<\d\+\.\=\d*\%([eE][-+]\=\d\+\)\=" nextgroup=nrnUnit skipwhite
syn match   nrnNumber      "\.\d\+\%([eE][-+]\=\d\+\)\=" nextgroup=nrnUnit skipwhite
execute 'syn match nrnUnit contained "' . s:term . '"'
" a unit after a list: [0, 0.5, 1] nA
execute 'syn match nrnUnit "\]\s*\zs' . s:term . '"'
" a unit annotation: param v_th : mV = ...
execute 'syn match nrnUnit "\%(\<\%(param\|state\|let\|input\)\s\+\w\+\s*:\s*\)\@<=' . s:term . '"'

syn match   nrnDerivative  "\<d\h\w*/dt\>"
syn match   nrnTypeName    "\%(\<\%(neuron\|synapse\|network\|function\|table\)\s\+\)\@<=\h\w*"
syn match   nrnOperator    "->\|[-+*/]=\|==\|!=\|<=\|>=\|&&\|||\|\*\*\|[-+*/%^<>=!?:]"
syn region  nrnString      start=+"+ end=+"+ oneline
syn match   nrnComment     "#.*$" contains=@Spell

hi def link nrnDeclaration  StorageClass
hi def link nrnStatement    Statement
hi def link nrnConditional  Conditional
hi def link nrnOperatorWord Operator
hi def link nrnBoolean      Boolean
hi def link nrnPositional   Keyword
hi def link nrnFunction     Function
hi def link nrnBuiltin      Identifier
hi def link nrnNumber       Number
hi def link nrnUnit         Type
hi def link nrnDerivative   Special
hi def link nrnTypeName     Structure
hi def link nrnOperator     Operator
hi def link nrnString       String
hi def link nrnComment      Comment

let b:current_syntax = "nrn"

let &cpo = s:cpo_save
unlet s:cpo_save
