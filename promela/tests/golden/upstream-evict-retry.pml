/* faultline export: upstream x evict-retry
 * Check: spin -a model.pml && gcc -O2 -DNOREDUCE -DSAFETY -o pan pan.c && ./pan -m100000 -c0
 * Stored states equal `faultline check --reduce none`'s; an invalid end state is a deadlock.
 * T0 fault (Fault)
 */

#define NT 1
#define NONE 255
#define WRITE 128
#define LOCKED 128
#define ABSENT 0
#define UPTODATE 1
#define IO_DISK 2
#define IO_FUSE 3
#define IO_FUSE_TAKEN 4
#define IO_UFFD 5
#define IO_UFFD_TAKEN 6

/* mmap_lock (rwsem.rs): writer, readers, FIFO wait list (tid | WRITE), handoff */
byte mm_writer = 255;
unsigned mm_rd : 1 = 0;
#define MM_RD(i) ((mm_rd >> (i)) & 1)
#define MM_RD_SET(i) mm_rd = mm_rd | (1 << (i))
#define MM_RD_CLR(i) mm_rd = mm_rd & ~(1 << (i))
byte mm_q[NT] = 0;
unsigned mm_qlen : 1 = 0;
bool mm_handoff = 0;

/* VMAs (vma.rs): attached, write-locked, excluding writer, readers (v * NT + t), anon_vma, copying, VM_COPY_ON_FORK, copy_page_range copies PTEs */
unsigned v_att : 1 = 1;
#define V_ATT(i) ((v_att >> (i)) & 1)
#define V_ATT_SET(i) v_att = v_att | (1 << (i))
#define V_ATT_CLR(i) v_att = v_att & ~(1 << (i))
unsigned v_wl : 1 = 0;
#define V_WL(i) ((v_wl >> (i)) & 1)
#define V_WL_SET(i) v_wl = v_wl | (1 << (i))
#define V_WL_CLR(i) v_wl = v_wl & ~(1 << (i))
byte v_excl[1] = 255;
unsigned v_rd : 1 = 0;
#define V_RD(i) ((v_rd >> (i)) & 1)
#define V_RD_SET(i) v_rd = v_rd | (1 << (i))
#define V_RD_CLR(i) v_rd = v_rd & ~(1 << (i))
unsigned v_anon : 1 = 0;
#define V_ANON(i) ((v_anon >> (i)) & 1)
#define V_ANON_SET(i) v_anon = v_anon | (1 << (i))
#define V_ANON_CLR(i) v_anon = v_anon & ~(1 << (i))
unsigned v_copy : 1 = 0;
#define V_COPY(i) ((v_copy >> (i)) & 1)
#define V_COPY_SET(i) v_copy = v_copy | (1 << (i))
#define V_COPY_CLR(i) v_copy = v_copy & ~(1 << (i))
unsigned v_cof : 1 = 0;
#define V_COF(i) ((v_cof >> (i)) & 1)
#define V_COF_SET(i) v_cof = v_cof | (1 << (i))
#define V_COF_CLR(i) v_cof = v_cof & ~(1 << (i))
unsigned v_cpt : 1 = 0;
#define V_CPT(i) ((v_cpt >> (i)) & 1)
#define V_CPT_SET(i) v_cpt = v_cpt | (1 << (i))
#define V_CPT_CLR(i) v_cpt = v_cpt & ~(1 << (i))

/* folios (folio.rs): state (ABSENT .. IO_UFFD_TAKEN, LOCKED | tid), references (f * NT + t) */
byte f_st[1] = 0;
unsigned f_ref : 1 = 0;
#define F_REF(i) ((f_ref >> (i)) & 1)
#define F_REF_SET(i) f_ref = f_ref | (1 << (i))
#define F_REF_CLR(i) f_ref = f_ref & ~(1 << (i))

/* threads (world.rs): pc, flags, VMA handle, stale, folio handle */
unsigned t_pc0 : 7 = 0;
unsigned t_flags0 : 2 = 0;
byte t_vma[NT] = 255;
unsigned t_stale : 1 = 0;
#define T_STALE(i) ((t_stale >> (i)) & 1)
#define T_STALE_SET(i) t_stale = t_stale | (1 << (i))
#define T_STALE_CLR(i) t_stale = t_stale & ~(1 << (i))
byte t_folio[NT] = 255;

/* reclaim budget (only falls), sticky hazard bits (hazard.rs) */
unsigned evl : 1 = 0;
byte hz = 0;

/* scratch of the d_steps: not part of the state */
hidden byte wi;
hidden byte wn;
hidden byte gr[NT];

/* predicates of rwsem.rs, vma.rs, folio.rs */
#define HELD(t) (mm_writer == t || MM_RD(t))
#define MM_ANY_RD (MM_RD(0))
#define MM_FREE (mm_writer == NONE && !MM_ANY_RD)
#define QUEUED(t) ((mm_qlen > 0 && (mm_q[0] & 127) == t))
#define CAN_TAKE(t) (mm_qlen > 0 && mm_q[0] == (WRITE | t) && MM_FREE)
#define FAST_READ (mm_writer == NONE && mm_qlen == 0 && !mm_handoff)
#define STEAL 0
#define MAY_STEAL (STEAL && MM_FREE && !mm_handoff)
#define VRD(v, t) V_RD((v) * NT + (t))
#define VRD_SET(v, t) V_RD_SET((v) * NT + (t))
#define VRD_CLR(v, t) V_RD_CLR((v) * NT + (t))
#define V_ANY_RD(v) (VRD(v, 0))
#define VMA_READER(t) (VRD(0, t))
#define FREF(f, t) F_REF((f) * NT + (t))
#define FREF_SET(f, t) F_REF_SET((f) * NT + (t))
#define FREF_CLR(f, t) F_REF_CLR((f) * NT + (t))
#define F_ANY_REF(f) (FREF(f, 0))

/* rwsem.rs enqueue, dequeue of the woken head writer, rwsem_mark_wake */
inline enqueue(e) {
	mm_q[mm_qlen] = e;
	mm_qlen++
}
inline dequeue_head() {
	wi = 0;
	do
	:: wi + 1 < mm_qlen -> mm_q[wi] = mm_q[wi + 1]; wi++
	:: else -> break
	od;
	mm_q[mm_qlen - 1] = 0;
	mm_qlen--
}
inline wake() {
	if
	:: mm_writer == NONE && mm_qlen > 0 && (mm_q[0] & WRITE) == 0 ->
		wi = 0;
		wn = 0;
		do
		:: wi < mm_qlen ->
			if
			:: (mm_q[wi] & WRITE) == 0 -> MM_RD_SET(mm_q[wi]); gr[mm_q[wi]] = 1
			:: else -> mm_q[wn] = mm_q[wi]; wn++
			fi;
			wi++
		:: else -> break
		od;
		wi = wn;
		do
		:: wi < mm_qlen -> mm_q[wi] = 0; wi++
		:: else -> break
		od;
		mm_qlen = wn;
		mm_handoff = 0
	:: else
	fi
}
/* advance_granted: the readers rwsem_mark_wake granted return from mmap_read_lock */
inline grant_all() {
	skip;
	if
	:: gr[0] ->
		gr[0] = 0;
		if
		:: t_pc0 == 36 -> t_flags0 = t_flags0 & 1; t_vma[0] = NONE; T_STALE_CLR(0); t_pc0 = 37
		:: else -> assert(false)
		fi
	:: else
	fi
}

/* T0 fault: Fault */
active proctype T0_fault() {
running:
	do
	:: d_step { /* 0 lock_vma_under_rcu */ t_pc0 == 0 && ((V_ATT(0) && !V_WL(0) && v_excl[0] == NONE)) ->
		assert(!VMA_READER(0));
		VRD_SET(0, 0);
		t_vma[0] = 0;
		T_STALE_CLR(0);
		t_pc0 = 1
	}
	:: d_step { /* 0 lock_vma_under_rcu */ t_pc0 == 0 && (!(V_ATT(0) && !V_WL(0) && v_excl[0] == NONE)) ->
		assert(!VMA_READER(0));
		t_flags0 = t_flags0 & 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 1 filemap_get_folio */ t_pc0 == 1 && (f_st[0] == ABSENT) && (t_flags0 == 0 || t_flags0 == 2) ->
		t_flags0 = t_flags0 | 2;
		t_pc0 = 15
	}
	:: d_step { /* 1 filemap_get_folio */ t_pc0 == 1 && (f_st[0] == ABSENT) && (t_flags0 == 1 || t_flags0 == 3) ->
		t_flags0 = 0;
		t_pc0 = 22
	}
	:: d_step { /* 1 filemap_get_folio */ t_pc0 == 1 && (f_st[0] != ABSENT) ->
		assert(t_folio[0] == NONE);
		FREF_SET(0, 0);
		t_folio[0] = 0;
		t_pc0 = 2
	}
	:: d_step { /* 2 folio_trylock */ t_pc0 == 2 && (t_folio[0] == NONE) ->
		assert(false);
		t_pc0 = 2
	}
	:: d_step { /* 2 folio_trylock */ t_pc0 == 2 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_flags0 = 0;
		t_pc0 = 24
	}
	:: d_step { /* 2 folio_trylock */ t_pc0 == 2 && (t_folio[0] != NONE && f_st[t_folio[0]] != UPTODATE) && (t_flags0 == 0 || t_flags0 == 2) ->
		t_pc0 = 5
	}
	:: d_step { /* 2 folio_trylock */ t_pc0 == 2 && (t_folio[0] != NONE && f_st[t_folio[0]] != UPTODATE) && (t_flags0 == 1 || t_flags0 == 3) ->
		t_flags0 = 0;
		t_pc0 = 11
	}
	:: d_step { /* 5 vma_end_read */ t_pc0 == 5 && (t_vma[0] == NONE) ->
		assert(false);
		t_pc0 = 5
	}
	:: d_step { /* 5 vma_end_read */ t_pc0 == 5 && (t_vma[0] != NONE) ->
		assert(VRD(t_vma[0], 0));
		VRD_CLR(t_vma[0], 0);
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 6
	}
	:: d_step { /* 6 folio_lock */ t_pc0 == 6 && (t_folio[0] == NONE) ->
		assert(false);
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 6
	}
	:: d_step { /* 6 folio_lock */ t_pc0 == 6 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 7
	}
	:: d_step { /* 7 folio_unlock */ t_pc0 == 7 && (t_folio[0] == NONE) ->
		assert(false);
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 7
	}
	:: d_step { /* 7 folio_unlock */ t_pc0 == 7 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] == (LOCKED | 0));
		f_st[t_folio[0]] = UPTODATE;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 8
	}
	:: d_step { /* 8 folio_put */ t_pc0 == 8 && (t_folio[0] == NONE) ->
		assert(false);
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 8
	}
	:: d_step { /* 8 folio_put */ t_pc0 == 8 && (t_folio[0] != NONE) && (t_flags0 == 0) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 8 folio_put */ t_pc0 == 8 && (t_folio[0] != NONE) && (t_flags0 == 1) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 8 folio_put */ t_pc0 == 8 && (t_folio[0] != NONE) && (t_flags0 == 2) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 8 folio_put */ t_pc0 == 8 && (t_folio[0] != NONE) && (t_flags0 == 3) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 11 folio_lock */ t_pc0 == 11 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_pc0 = 11
	}
	:: d_step { /* 11 folio_lock */ t_pc0 == 11 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_flags0 = 0;
		t_pc0 = 24
	}
	:: d_step { /* 15 vma_end_read */ t_pc0 == 15 && (t_vma[0] == NONE) ->
		assert(false);
		t_pc0 = 15
	}
	:: d_step { /* 15 vma_end_read */ t_pc0 == 15 && (t_vma[0] != NONE) ->
		assert(VRD(t_vma[0], 0));
		VRD_CLR(t_vma[0], 0);
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 16
	}
	:: d_step { /* 16 do_sync_mmap_readahead */ t_pc0 == 16 && (true) ->
		if :: f_st[0] == ABSENT -> f_st[0] = IO_DISK :: else fi;
		assert(t_folio[0] == NONE);
		FREF_SET(0, 0);
		t_folio[0] = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 17
	}
	:: d_step { /* 17 folio_lock */ t_pc0 == 17 && (t_folio[0] == NONE) ->
		assert(false);
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 17
	}
	:: d_step { /* 17 folio_lock */ t_pc0 == 17 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 18
	}
	:: d_step { /* 18 folio_unlock */ t_pc0 == 18 && (t_folio[0] == NONE) ->
		assert(false);
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 18
	}
	:: d_step { /* 18 folio_unlock */ t_pc0 == 18 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] == (LOCKED | 0));
		f_st[t_folio[0]] = UPTODATE;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 19
	}
	:: d_step { /* 19 folio_put */ t_pc0 == 19 && (t_folio[0] == NONE) ->
		assert(false);
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 19
	}
	:: d_step { /* 19 folio_put */ t_pc0 == 19 && (t_folio[0] != NONE) && (t_flags0 == 0) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 19 folio_put */ t_pc0 == 19 && (t_folio[0] != NONE) && (t_flags0 == 1) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 19 folio_put */ t_pc0 == 19 && (t_folio[0] != NONE) && (t_flags0 == 2) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 19 folio_put */ t_pc0 == 19 && (t_folio[0] != NONE) && (t_flags0 == 3) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 22 do_sync_mmap_readahead */ t_pc0 == 22 && (true) ->
		if :: f_st[0] == ABSENT -> f_st[0] = IO_DISK :: else fi;
		assert(t_folio[0] == NONE);
		FREF_SET(0, 0);
		t_folio[0] = 0;
		t_flags0 = 0;
		t_pc0 = 23
	}
	:: d_step { /* 23 folio_lock */ t_pc0 == 23 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_pc0 = 23
	}
	:: d_step { /* 23 folio_lock */ t_pc0 == 23 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_flags0 = 0;
		t_pc0 = 24
	}
	:: d_step { /* 24 set_pte_range */ t_pc0 == 24 && (t_vma[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_pc0 = 24
	}
	:: d_step { /* 24 set_pte_range */ t_pc0 == 24 && (t_vma[0] != NONE) ->
		if :: T_STALE(0) || !(VRD(t_vma[0], 0) || (HELD(0) && V_ATT(t_vma[0]))) -> hz = hz | 4 :: else fi;
		if :: V_COPY(t_vma[0]) && V_CPT(t_vma[0]) && mm_writer != 0 -> hz = hz | 8 :: else fi;
		assert(t_folio[0] != NONE && f_st[t_folio[0]] == (LOCKED | 0));
		t_flags0 = 0;
		t_pc0 = 25
	}
	:: d_step { /* 25 folio_unlock */ t_pc0 == 25 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_pc0 = 25
	}
	:: d_step { /* 25 folio_unlock */ t_pc0 == 25 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] == (LOCKED | 0));
		f_st[t_folio[0]] = UPTODATE;
		t_flags0 = 0;
		t_pc0 = 26
	}
	:: d_step { /* 26 folio_put */ t_pc0 == 26 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_pc0 = 26
	}
	:: d_step { /* 26 folio_put */ t_pc0 == 26 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		t_flags0 = 0;
		t_pc0 = 28
	}
	:: d_step { /* 28 vma_end_read */ t_pc0 == 28 && (t_vma[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_pc0 = 28
	}
	:: d_step { /* 28 vma_end_read */ t_pc0 == 28 && (t_vma[0] != NONE) ->
		assert(VRD(t_vma[0], 0));
		VRD_CLR(t_vma[0], 0);
		t_folio[0] = NONE;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 72
	}; goto end_done
	:: d_step { /* 34 mmap_read_trylock */ t_pc0 == 34 && (FAST_READ) ->
		MM_RD_SET(0);
		t_flags0 = t_flags0 & 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 37
	}
	:: d_step { /* 34 mmap_read_trylock */ t_pc0 == 34 && (!FAST_READ) ->
		t_flags0 = t_flags0 & 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 36
	}
	:: d_step { /* 36 mmap_read_lock */ t_pc0 == 36 && (!QUEUED(0) && (FAST_READ || MAY_STEAL)) ->
		assert(!HELD(0));
		if :: VMA_READER(0) -> hz = hz | 1 :: else fi;
		MM_RD_SET(0);
		t_flags0 = t_flags0 & 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 37
	}
	:: d_step { /* 36 mmap_read_lock */ t_pc0 == 36 && (!QUEUED(0) && !(FAST_READ || MAY_STEAL)) ->
		assert(!HELD(0));
		if :: VMA_READER(0) -> hz = hz | 1 :: else fi;
		enqueue(0);
		t_flags0 = t_flags0 & 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 36
	}
	:: d_step { /* 37 find_vma */ t_pc0 == 37 && (V_ATT(0)) ->
		assert(HELD(0));
		t_vma[0] = 0;
		T_STALE_CLR(0);
		t_flags0 = t_flags0 & 1;
		t_pc0 = 38
	}
	:: d_step { /* 37 find_vma */ t_pc0 == 37 && (!V_ATT(0)) ->
		assert(HELD(0));
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 69
	}
	:: d_step { /* 38 filemap_get_folio */ t_pc0 == 38 && (f_st[0] == ABSENT) && (t_flags0 == 0 || t_flags0 == 2) ->
		t_flags0 = t_flags0 & 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 52
	}
	:: d_step { /* 38 filemap_get_folio */ t_pc0 == 38 && (f_st[0] == ABSENT) && (t_flags0 == 1 || t_flags0 == 3) ->
		t_flags0 = 0;
		t_pc0 = 59
	}
	:: d_step { /* 38 filemap_get_folio */ t_pc0 == 38 && (f_st[0] != ABSENT) ->
		assert(t_folio[0] == NONE);
		FREF_SET(0, 0);
		t_folio[0] = 0;
		t_flags0 = t_flags0 & 1;
		t_pc0 = 39
	}
	:: d_step { /* 39 folio_trylock */ t_pc0 == 39 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = t_flags0 & 1;
		t_pc0 = 39
	}
	:: d_step { /* 39 folio_trylock */ t_pc0 == 39 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_flags0 = 0;
		t_pc0 = 61
	}
	:: d_step { /* 39 folio_trylock */ t_pc0 == 39 && (t_folio[0] != NONE && f_st[t_folio[0]] != UPTODATE) && (t_flags0 == 0 || t_flags0 == 2) ->
		t_flags0 = t_flags0 & 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 42
	}
	:: d_step { /* 39 folio_trylock */ t_pc0 == 39 && (t_folio[0] != NONE && f_st[t_folio[0]] != UPTODATE) && (t_flags0 == 1 || t_flags0 == 3) ->
		t_flags0 = 0;
		t_pc0 = 48
	}
	:: d_step { /* 42 mmap_read_unlock */ t_pc0 == 42 && (true) ->
		assert(MM_RD(0));
		MM_RD_CLR(0);
		if :: !MM_ANY_RD -> wake() :: else fi;
		grant_all();
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 43
	}
	:: d_step { /* 43 folio_lock */ t_pc0 == 43 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 43
	}
	:: d_step { /* 43 folio_lock */ t_pc0 == 43 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 44
	}
	:: d_step { /* 44 folio_unlock */ t_pc0 == 44 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 44
	}
	:: d_step { /* 44 folio_unlock */ t_pc0 == 44 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] == (LOCKED | 0));
		f_st[t_folio[0]] = UPTODATE;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 45
	}
	:: d_step { /* 45 folio_put */ t_pc0 == 45 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 45
	}
	:: d_step { /* 45 folio_put */ t_pc0 == 45 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 48 folio_lock */ t_pc0 == 48 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_pc0 = 48
	}
	:: d_step { /* 48 folio_lock */ t_pc0 == 48 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_flags0 = 0;
		t_pc0 = 61
	}
	:: d_step { /* 52 mmap_read_unlock */ t_pc0 == 52 && (true) ->
		assert(MM_RD(0));
		MM_RD_CLR(0);
		if :: !MM_ANY_RD -> wake() :: else fi;
		grant_all();
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 53
	}
	:: d_step { /* 53 do_sync_mmap_readahead */ t_pc0 == 53 && (true) ->
		if :: f_st[0] == ABSENT -> f_st[0] = IO_DISK :: else fi;
		assert(t_folio[0] == NONE);
		FREF_SET(0, 0);
		t_folio[0] = 0;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 54
	}
	:: d_step { /* 54 folio_lock */ t_pc0 == 54 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 54
	}
	:: d_step { /* 54 folio_lock */ t_pc0 == 54 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 55
	}
	:: d_step { /* 55 folio_unlock */ t_pc0 == 55 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 55
	}
	:: d_step { /* 55 folio_unlock */ t_pc0 == 55 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] == (LOCKED | 0));
		f_st[t_folio[0]] = UPTODATE;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 56
	}
	:: d_step { /* 56 folio_put */ t_pc0 == 56 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 56
	}
	:: d_step { /* 56 folio_put */ t_pc0 == 56 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		if :: HELD(0) || VMA_READER(0) -> hz = hz | 2 :: else fi;
		t_flags0 = 1;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 34
	}
	:: d_step { /* 59 do_sync_mmap_readahead */ t_pc0 == 59 && (true) ->
		if :: f_st[0] == ABSENT -> f_st[0] = IO_DISK :: else fi;
		assert(t_folio[0] == NONE);
		FREF_SET(0, 0);
		t_folio[0] = 0;
		t_flags0 = 0;
		t_pc0 = 60
	}
	:: d_step { /* 60 folio_lock */ t_pc0 == 60 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_pc0 = 60
	}
	:: d_step { /* 60 folio_lock */ t_pc0 == 60 && (t_folio[0] != NONE && f_st[t_folio[0]] == UPTODATE) ->
		f_st[t_folio[0]] = LOCKED | 0;
		t_flags0 = 0;
		t_pc0 = 61
	}
	:: d_step { /* 61 set_pte_range */ t_pc0 == 61 && (t_vma[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_pc0 = 61
	}
	:: d_step { /* 61 set_pte_range */ t_pc0 == 61 && (t_vma[0] != NONE) ->
		if :: T_STALE(0) || !(VRD(t_vma[0], 0) || (HELD(0) && V_ATT(t_vma[0]))) -> hz = hz | 4 :: else fi;
		if :: V_COPY(t_vma[0]) && V_CPT(t_vma[0]) && mm_writer != 0 -> hz = hz | 8 :: else fi;
		assert(t_folio[0] != NONE && f_st[t_folio[0]] == (LOCKED | 0));
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 62
	}
	:: d_step { /* 62 folio_unlock */ t_pc0 == 62 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 62
	}
	:: d_step { /* 62 folio_unlock */ t_pc0 == 62 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] == (LOCKED | 0));
		f_st[t_folio[0]] = UPTODATE;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 63
	}
	:: d_step { /* 63 folio_put */ t_pc0 == 63 && (t_folio[0] == NONE) ->
		assert(false);
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 63
	}
	:: d_step { /* 63 folio_put */ t_pc0 == 63 && (t_folio[0] != NONE) ->
		assert(f_st[t_folio[0]] != (LOCKED | 0));
		FREF_CLR(t_folio[0], 0);
		t_folio[0] = NONE;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 65
	}
	:: d_step { /* 65 mmap_read_unlock */ t_pc0 == 65 && (true) ->
		assert(MM_RD(0));
		MM_RD_CLR(0);
		if :: !MM_ANY_RD -> wake() :: else fi;
		grant_all();
		t_folio[0] = NONE;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 72
	}; goto end_done
	:: d_step { /* 69 mmap_read_unlock */ t_pc0 == 69 && (true) ->
		assert(MM_RD(0));
		MM_RD_CLR(0);
		if :: !MM_ANY_RD -> wake() :: else fi;
		grant_all();
		t_folio[0] = NONE;
		t_flags0 = 0;
		t_vma[0] = NONE;
		T_STALE_CLR(0);
		t_pc0 = 72
	}; goto end_done
	od;
end_done:
	false
}

/* disk completions, reclaim, rwsem handoff */
active proctype actors() {
end:
	do
	:: d_step { /* io0 */ f_st[0] == IO_DISK -> f_st[0] = UPTODATE }
	:: d_step { /* ev0 */ f_st[0] == UPTODATE && !F_ANY_REF(0) -> f_st[0] = ABSENT }
	od
}
