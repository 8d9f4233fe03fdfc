//! Memory for the large weight tables: asked to be backed by huge pages on Linux. A hashed model's table
//! (8 M rows by default) is read at random; with 4 KiB pages every first touch is a page fault and most reads miss
//! the TLB, with 2 MiB pages neither. Where the kernel does not oblige, nothing changes.

/// An empty vector with room for `capacity` elements, its memory advised to use huge pages.
pub fn with_huge_pages<T>(capacity: usize) -> Vec<T> {
    let vec: Vec<T> = Vec::with_capacity(capacity);
    #[cfg(target_os = "linux")]
    advise_huge_pages(
        vec.as_ptr() as usize,
        capacity.saturating_mul(std::mem::size_of::<T>()),
    );
    vec
}

#[cfg(target_os = "linux")]
fn advise_huge_pages(start: usize, len: usize) {
    const HUGE_PAGE: usize = 2 << 20;
    let begin = start.next_multiple_of(HUGE_PAGE);
    let end = start.saturating_add(len) / HUGE_PAGE * HUGE_PAGE;
    if end > begin {
        // SAFETY: madvise(MADV_HUGEPAGE) on whole pages inside an allocation we own only tells the kernel
        // how to back them; it neither reads nor changes their contents, and its failure is harmless.
        unsafe { libc::madvise(begin as *mut libc::c_void, end - begin, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn advised_vectors_are_ordinary_vectors() {
        let mut v = super::with_huge_pages::<f32>(3 << 20);
        assert!(v.capacity() >= 3 << 20);
        v.resize(3 << 20, 1.5);
        assert_eq!(v.iter().sum::<f32>(), 1.5 * (3 << 20) as f32);
    }
}
