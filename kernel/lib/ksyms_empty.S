/* The symbol table of the first link: empty (see tools/gen_ksyms.py). */
    .section .ksyms, "a"
    .balign 8
    .globl ksyms_table
ksyms_table:
    .dword 0
