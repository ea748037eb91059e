/* Symbol tables: open-addressing hash from name to AstSym*, remembering insertion order so
 * that every walk over a scope is deterministic (never in pointer or hash order). */
#include <string.h>

#include "sema.h"

struct SymTab {
    AstSym **slots;       /* hash slots */
    int nslots;
    PtrVec order;         /* AstSym* in insertion order */
};

static unsigned hash_name(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

SymTab *symtab_new(Arena *a)
{
    SymTab *t = ARENA_NEW(a, SymTab);
    t->nslots = 16;
    t->slots = ARENA_ARRAY(a, AstSym *, t->nslots);
    return t;
}

static AstSym **find_slot(AstSym **slots, int nslots, const char *name)
{
    unsigned i = hash_name(name) & (unsigned)(nslots - 1);
    while (slots[i] && strcmp(slots[i]->name, name) != 0)
        i = (i + 1) & (unsigned)(nslots - 1);
    return &slots[i];
}

static void grow(Arena *a, SymTab *t)
{
    int n = t->nslots * 2;
    AstSym **slots = ARENA_ARRAY(a, AstSym *, n);
    for (int i = 0; i < t->order.len; i++) {
        AstSym *s = t->order.items[i];
        *find_slot(slots, n, s->name) = s;
    }
    t->slots = slots;
    t->nslots = n;
}

AstSym *symtab_get(const SymTab *t, const char *name)
{
    return *find_slot(t->slots, t->nslots, name);
}

bool symtab_put(Arena *a, SymTab *t, AstSym *sym)
{
    if (symtab_get(t, sym->name))
        return false;
    if ((t->order.len + 1) * 2 > t->nslots)
        grow(a, t);
    *find_slot(t->slots, t->nslots, sym->name) = sym;
    ptrvec_push(a, &t->order, sym);
    return true;
}

int symtab_count(const SymTab *t) { return t->order.len; }

AstSym *symtab_at(const SymTab *t, int i) { return t->order.items[i]; }
