// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! See [`Object`].
//!
//! `Object` uses private storage variants tuned for memory and mutation cost.
//! `Frozen` means compact boxed-slice storage, not semantic immutability:
//! mutable APIs such as [`Object::insert`], [`Object::remove`], and
//! [`Object::get_mut`] may update values in place or thaw storage
//! transparently. `Empty`, `Frozen`, and `BTree` are optimization
//! details and callers must not depend on which representation is selected.
//!
//! The implementation is split across sibling modules that share the private
//! `repr` field: [`mutate`] (insert/remove/retain/get_or_insert_with),
//! [`freeze`] (freeze/thaw transitions), and [`cursor`] (resumable iteration).

mod cursor;
mod freeze;
mod iter;
mod mutate;
mod serde;

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use core::cmp::Ordering;
use core::fmt;

use crate::value::Value;

#[cfg(feature = "rvm")]
pub use cursor::ObjectCursor;
pub use iter::{IntoIter, Iter, IterMut};

/// Opaque, ordered key-value map keyed by [`Value`].
///
/// Backed by a three-variant representation: empty objects use zero-allocation
/// storage, mutable objects use `BTreeMap`, and read-mostly objects freeze to an
/// exact-size boxed slice. The representation is private so it can change
/// without touching call sites.
///
/// # Iteration
///
/// - [`Object::iter`] — implementation-defined order; non-resumable.
/// - [`Object::iter_sorted`] — sorted by `Value::Ord`; non-resumable.
/// - [`Object::cursor`] / [`Object::next`] — implementation-defined order,
///   resumable; cheapest per-step cost. Used by interpreter/RVM when iteration
///   must yield mid-flight.
#[derive(Default, Clone)]
pub struct Object {
    pub(super) repr: Repr,
}

#[derive(Clone)]
pub(super) enum Repr {
    Empty,
    /// Compact sorted, deduplicated entries with no spare capacity.
    ///
    /// Release-critical invariant: Frozen keys are strictly sorted and deduplicated.
    /// `get`/`insert`/cursor resume use binary search in all builds, so every construction
    /// path must preserve this before entering `Repr::Frozen`.
    Frozen(Box<[(Value, Value)]>),
    BTree(BTreeMap<Value, Value>),
}

impl Default for Repr {
    #[inline]
    fn default() -> Self {
        Repr::Empty
    }
}

impl Object {
    /// Create an empty `Object`.
    #[inline]
    pub const fn new() -> Self {
        Self { repr: Repr::Empty }
    }

    #[inline]
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Empty => 0,
            Repr::Frozen(v) => v.len(),
            Repr::BTree(m) => m.len(),
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn get(&self, key: &Value) -> Option<&Value> {
        // blastwall patch: string keys (nearly every lookup) are searched by
        // their text, see `get_str`. See vendor/README.md.
        if let (Value::String(k), Repr::Frozen(_)) = (key, &self.repr) {
            return self.get_str(k);
        }
        match &self.repr {
            Repr::Empty => None,
            Repr::Frozen(v) => match v.binary_search_by(|(k, _)| k.cmp(key)) {
                Ok(i) => Some(&v[i].1),
                Err(_) => None,
            },
            Repr::BTree(m) => m.get(key),
        }
    }

    /// The value of the string key `key`, without building a [`Value`] for it
    /// (as `get(&Value::from(key))` would: an allocation).
    ///
    /// blastwall patch (see vendor/README.md): the same answer as
    /// `get(&Value::from(key))`. A frozen object's keys are sorted by
    /// `Value::Ord`, where every string sorts after `null`, booleans and
    /// numbers and before arrays, sets and objects, and strings among
    /// themselves by their bytes; the search compares with that order
    /// directly instead of through `Value::cmp`.
    ///
    /// The scan of a small frozen object is inlined into the caller; the
    /// other cases are in a function of their own, whose larger frame the
    /// scan no longer pays for (blastwall patch).
    #[inline]
    pub fn get_str(&self, key: &str) -> Option<&Value> {
        match &self.repr {
            // Keys are unique: a scan that compares lengths first is cheaper
            // than a binary search for the small objects of most documents.
            Repr::Frozen(v) if v.len() <= 8 => scan_frozen(v, key),
            _ => self.get_str_searched(key),
        }
    }

    /// `get_str` of an empty, a larger frozen or a `BTreeMap` object.
    #[inline(never)]
    fn get_str_searched(&self, key: &str) -> Option<&Value> {
        match &self.repr {
            Repr::Empty => None,
            // Up to 32 keys (an AdmissionRequest has about 14), the scan
            // still costs less than a binary search, which compares bytes
            // (often through `memcmp`) at each step.
            Repr::Frozen(v) if v.len() <= 32 => scan_frozen(v, key),
            Repr::Frozen(v) => v
                .binary_search_by(|(k, _)| cmp_key_with_str(k, key))
                .ok()
                .and_then(|i| v.get(i))
                .map(|(_, value)| value),
            Repr::BTree(m) if m.len() <= 16 => m
                .iter()
                .find(|(k, _)| matches!(k, Value::String(s) if s.as_ref() == key))
                .map(|(_, value)| value),
            Repr::BTree(m) => m.get(&Value::from(key)),
        }
    }

    #[inline]
    pub fn contains_key(&self, key: &Value) -> bool {
        self.get(key).is_some()
    }

    pub fn get_mut(&mut self, key: &Value) -> Option<&mut Value> {
        // Returning `&mut Value` for an existing key is a value-only mutation:
        // it never reorders or removes keys, so `Frozen` storage is preserved
        // in place rather than thawed (mirrors `insert`/`get_or_insert_with`).
        match &mut self.repr {
            Repr::Empty => None,
            Repr::Frozen(v) => match v.binary_search_by(|(k, _)| k.cmp(key)) {
                Ok(i) => Some(&mut v[i].1),
                Err(_) => None,
            },
            Repr::BTree(m) => m.get_mut(key),
        }
    }

    /// Iteration in implementation-defined order. Non-resumable.
    ///
    /// For both current backends this happens to be sorted by `Value::Ord`,
    /// but callers MUST NOT depend on that. Use [`Object::iter_sorted`] when
    /// deterministic order is required, or [`Object::cursor`] when iteration
    /// must yield and resume.
    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> + '_ {
        self.iter_sorted()
    }

    /// Iteration in sorted key order (by `Value::Ord`). Non-resumable.
    ///
    /// Use this for serialization, snapshots, hashing, `Debug`, the
    /// `object.keys` builtin, etc.
    #[inline]
    pub fn iter_sorted(&self) -> Iter<'_> {
        Iter {
            inner: match &self.repr {
                Repr::Empty => iter::IterInner::Empty,
                Repr::Frozen(v) => iter::IterInner::Frozen(v.iter()),
                Repr::BTree(m) => iter::IterInner::BTree(m.iter()),
            },
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &Value> + '_ {
        self.iter_sorted().map(|(k, _)| k)
    }

    pub fn keys_sorted(&self) -> impl Iterator<Item = &Value> + '_ {
        self.iter_sorted().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> + '_ {
        self.iter_sorted().map(|(_, v)| v)
    }

    #[inline]
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        // Frozen storage is read-only, so thaw it in place before handing out
        // mutable element references. After this, repr is never Frozen.
        self.thaw();
        IterMut {
            inner: match &mut self.repr {
                // `thaw` above guarantees repr is not Frozen here; the Frozen
                // arm is dead, but yielding an empty iterator keeps the match
                // total without a panic.
                Repr::Empty | Repr::Frozen(_) => iter::IterMutInner::Empty,
                Repr::BTree(m) => iter::IterMutInner::BTree(m.iter_mut()),
            },
        }
    }
}

/// The value of the string key `key` in a frozen object's entries, by a
/// scan deciding keys of another length (most of the keys it passes) without
/// reading their bytes, and comparing the others without a call to `memcmp`
/// (see `same_len_bytes_eq`).
#[inline(always)]
fn scan_frozen<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    let key = key.as_bytes();
    for (k, value) in entries {
        if let Value::String(s) = k {
            let s = s.as_bytes();
            if s.len() == key.len() && same_len_bytes_eq(s, key) {
                return Some(value);
            }
        }
    }
    None
}

/// `a == b` for two byte strings of the same length, those of up to 16 bytes
/// (most keys) compared by two overlapping loads of each instead of a call to
/// `memcmp` (blastwall patch, see vendor/README.md).
#[inline(always)]
fn same_len_bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if (8..=16).contains(&n) {
        let tail = n - 8;
        if let (Some(a0), Some(b0), Some(a1), Some(b1)) =
            (load8(a, 0), load8(b, 0), load8(a, tail), load8(b, tail))
        {
            return a0 == b0 && a1 == b1;
        }
    } else if (4..8).contains(&n) {
        let tail = n - 4;
        if let (Some(a0), Some(b0), Some(a1), Some(b1)) =
            (load4(a, 0), load4(b, 0), load4(a, tail), load4(b, tail))
        {
            return a0 == b0 && a1 == b1;
        }
    } else if n < 4 {
        return a.iter().zip(b.iter()).all(|(x, y)| x == y);
    }
    a == b
}

#[inline(always)]
fn load8(s: &[u8], at: usize) -> Option<u64> {
    let bytes: [u8; 8] = s.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_ne_bytes(bytes))
}

#[inline(always)]
fn load4(s: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = s.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_ne_bytes(bytes))
}

/// `a.cmp(b)` (`Value::Ord`) for two keys or values, deciding two strings
/// that are one shared string or differ in their first byte inline, before
/// comparing their bytes (blastwall patch, see vendor/README.md).
#[inline]
pub(crate) fn cmp_keys(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            if crate::Rc::ptr_eq(x, y) {
                return Ordering::Equal;
            }
            let (x, y) = (x.as_bytes(), y.as_bytes());
            match (x.first(), y.first()) {
                (Some(p), Some(q)) if p != q => p.cmp(q),
                _ => x.cmp(y),
            }
        }
        _ => a.cmp(b),
    }
}

/// `k.cmp(&Value::from(key))`, without building the value (see [`Object::get_str`]).
#[inline]
fn cmp_key_with_str(k: &Value, key: &str) -> Ordering {
    match k {
        Value::String(s) => {
            let (a, b) = (s.as_bytes(), key.as_bytes());
            // Most keys differ in their first byte: decide those without a call.
            match (a.first(), b.first()) {
                (Some(x), Some(y)) if x != y => x.cmp(y),
                // The key found (blastwall patch, see `same_len_bytes_eq`).
                _ if same_len_bytes_eq(a, b) => Ordering::Equal,
                _ => a.cmp(b),
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ordering::Less,
        Value::Array(_) | Value::Set(_) | Value::Object(_) | Value::Undefined => {
            Ordering::Greater
        }
    }
}

// ---- Hand-written PartialEq/Eq/Ord -------------------------------------
//
// Defined in terms of `iter_sorted()` so equality and ordering are
// consistent with the canonical (sorted) view of the entries and are
// therefore independent of the storage variant. A derived PartialEq on
// `Repr` would incorrectly distinguish `Frozen` from `BTree` even when they
// hold identical entries.

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        self.iter_sorted().eq(other.iter_sorted())
    }
}

impl Eq for Object {}

impl Ord for Object {
    fn cmp(&self, other: &Self) -> Ordering {
        // blastwall patch: two frozen objects (all objects built from JSON,
        // facts and the VM's object literals) compare their sorted entries as
        // slices, a key or value of two strings compared inline
        // (`cmp_keys`), instead of through two storage-generic iterators and
        // `Value::cmp` per key and value: sets of findings compare objects on
        // every insertion. Same order. See vendor/README.md.
        if let (Repr::Frozen(a), Repr::Frozen(b)) = (&self.repr, &other.repr) {
            for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
                match cmp_keys(ka, kb) {
                    Ordering::Equal => {}
                    unequal => return unequal,
                }
                match cmp_keys(va, vb) {
                    Ordering::Equal => {}
                    unequal => return unequal,
                }
            }
            return a.len().cmp(&b.len());
        }
        self.iter_sorted().cmp(other.iter_sorted())
    }
}

impl PartialOrd for Object {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter_sorted()).finish()
    }
}

impl Extend<(Value, Value)> for Object {
    fn extend<I: IntoIterator<Item = (Value, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(Value, Value)> for Object {
    fn from_iter<I: IntoIterator<Item = (Value, Value)>>(iter: I) -> Self {
        let mut o = Object::new();
        for (k, v) in iter {
            o.insert(k, v);
        }
        o
    }
}

impl From<BTreeMap<Value, Value>> for Object {
    fn from(map: BTreeMap<Value, Value>) -> Self {
        if map.is_empty() {
            Self { repr: Repr::Empty }
        } else {
            Self {
                repr: Repr::BTree(map),
            }
        }
    }
}

impl From<Object> for Value {
    #[inline]
    fn from(o: Object) -> Self {
        o.into_value()
    }
}
