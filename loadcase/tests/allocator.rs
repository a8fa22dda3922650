//! With its default feature `mimalloc`, loadcase is the allocator of the binaries it is linked
//! into: this test binary's allocations are mimalloc's.

#[cfg(feature = "mimalloc")]
#[test]
fn the_binaries_loadcase_is_linked_into_allocate_with_mimalloc() {
    let boxed = Box::new([7u8; 4096]);
    let text = format!("{:?}", loadcase::DEFAULT_REQUEST_TIMEOUT);
    for ptr in [boxed.as_ptr(), text.as_ptr()] {
        // SAFETY: mimalloc only reads its own bookkeeping to answer; any address may be asked.
        let ours = unsafe { libmimalloc_sys::mi_is_in_heap_region(ptr.cast()) };
        assert!(ours, "{ptr:?} was not allocated by mimalloc");
    }
}

#[cfg(not(feature = "mimalloc"))]
#[test]
fn without_the_feature_the_system_allocator_stays() {
    let boxed = Box::new([7u8; 4096]);
    // SAFETY: as above.
    let ours = unsafe { libmimalloc_sys::mi_is_in_heap_region(boxed.as_ptr().cast()) };
    assert!(!ours, "mimalloc was made the allocator without the feature");
}
