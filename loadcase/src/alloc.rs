//! The allocator of the binaries loadcase is linked into (feature `mimalloc`): mimalloc, asked
//! for an alignment only when its blocks might not have it. The `mimalloc` crate asks
//! `mi_malloc_aligned` for every allocation, and mimalloc takes a slow, over-allocating path for
//! an aligned block over 1 KiB — a request's future is several — where `mi_malloc`'s blocks are
//! all aligned to a word.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// What every block of mimalloc's is aligned to: its block sizes are multiples of a word.
const BLOCK_ALIGN: usize = std::mem::size_of::<usize>();

/// mimalloc, by way of its plain calls wherever the alignment allows.
pub(crate) struct Mimalloc;

// SAFETY: every call is mimalloc's for the same layout: a plain block where the layout's
// alignment is at most a word's (which every mimalloc block has), an aligned one otherwise;
// `mi_free` frees both kinds, and `mi_realloc` keeps the word alignment of the block it moves.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocation calls take any size and a power-of-two alignment.
        unsafe {
            if layout.align() <= BLOCK_ALIGN {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if layout.align() <= BLOCK_ALIGN {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`, as `GlobalAlloc` requires.
        unsafe {
            if layout.align() <= BLOCK_ALIGN {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_have_the_alignment_asked_for_at_every_size() {
        for align in [1, 2, 4, 8, 16, 32, 64, 128, 4096] {
            for size in [
                1,
                7,
                8,
                9,
                24,
                40,
                100,
                1000,
                1025,
                5752,
                8200,
                70_000,
                1 << 20,
            ] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; each block is written within its size, then freed.
                unsafe {
                    let block = Mimalloc.alloc(layout);
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align, 0, "size {size} align {align}");
                    block.write_bytes(0xA5, size);
                    let zeroed = Mimalloc.alloc_zeroed(layout);
                    assert_eq!(
                        zeroed as usize % align,
                        0,
                        "zeroed size {size} align {align}"
                    );
                    assert!(
                        std::slice::from_raw_parts(zeroed, size)
                            .iter()
                            .all(|&b| b == 0)
                    );
                    let grown = Mimalloc.realloc(block, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "grown size {size} align {align}");
                    assert!(
                        std::slice::from_raw_parts(grown, size)
                            .iter()
                            .all(|&b| b == 0xA5)
                    );
                    Mimalloc.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    Mimalloc.dealloc(zeroed, layout);
                }
            }
        }
    }
}
