//! A counting global allocator: every `alloc`, `alloc_zeroed` and `realloc` made by the
//! current thread is counted, so a benchmark can report heap allocations per operation.
//! Memory that C code (aws-lc, ring's C parts, OpenSSL under josekit) takes with its own
//! `malloc` does not go through Rust's allocator and is not counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Wraps the system allocator and counts calls per thread.
pub struct CountingAlloc;

thread_local! {
    // `const` and without a destructor: usable from inside the allocator, on any thread,
    // at any time (no lazy initialisation, nothing to tear down).
    static CALLS: Cell<u64> = const { Cell::new(0) };
}

#[inline]
fn bump() {
    let _ = CALLS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counter is a thread-local `Cell` that never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocation calls made so far by this thread.
pub fn count() -> u64 {
    CALLS.with(Cell::get)
}
