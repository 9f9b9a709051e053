//! The threads that decode and evaluate reviews, off the async workers.
//!
//! At most one thread per evaluation slot (`--max-concurrent-evaluations`), started
//! when first needed. A review goes to the thread that became idle last: its
//! allocator pages, its VM and the rule programs are still in the CPU's caches.
//! tokio's blocking pool wakes the thread that has waited longest instead, so a
//! run of reviews went round every thread it had ever started, each one cold
//! (about 15% more CPU per review on the 2-core bench machine).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use tokio::sync::{oneshot, OwnedSemaphorePermit};

type Job = Box<dyn FnOnce() + Send>;

/// A pool of evaluation threads. Dropping it lets its threads end.
pub struct Evaluators {
    inner: Arc<Inner>,
}

struct Inner {
    idle: Mutex<Idle>,
}

#[derive(Default)]
struct Idle {
    /// Idle threads, the one idle last on top.
    slots: Vec<Arc<Slot>>,
    /// Set when the pool is dropped: a thread that finishes its job then ends.
    closed: bool,
}

/// One thread's mailbox.
#[derive(Default)]
struct Slot {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    job: Option<(Job, OwnedSemaphorePermit)>,
    closed: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A job runs outside every lock and its panics are caught: a poisoned lock
    // holds consistent data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Default for Evaluators {
    fn default() -> Self {
        Evaluators::new()
    }
}

impl Evaluators {
    pub fn new() -> Evaluators {
        Evaluators {
            inner: Arc::new(Inner {
                idle: Mutex::new(Idle::default()),
            }),
        }
    }

    /// Runs `job` on an idle evaluation thread (a new one if none is idle) and
    /// returns its result. `permit` is one of the evaluation slots: it is given
    /// back once the thread is idle again, so that whoever takes the slot next
    /// finds an idle thread. If the caller stops waiting (its deadline), the job
    /// still runs to its end, and keeps its slot until then.
    pub async fn run<T: Send + 'static>(
        &self,
        permit: OwnedSemaphorePermit,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(job());
        });
        let slot = lock(&self.inner.idle).slots.pop();
        let slot = match slot {
            Some(slot) => slot,
            None => self.start()?,
        };
        {
            let mut state = lock(&slot.state);
            state.job = Some((job, permit));
        }
        slot.wake.notify_one();
        // A job that panicked dropped its sender.
        rx.await
            .map_err(|_| "evaluation task failed: the evaluation panicked".to_string())
    }

    fn start(&self) -> Result<Arc<Slot>, String> {
        let slot = Arc::new(Slot::default());
        let inner = Arc::clone(&self.inner);
        let mine = Arc::clone(&slot);
        std::thread::Builder::new()
            .name("blastwall-eval".into())
            .spawn(move || inner.serve(&mine))
            .map_err(|e| format!("cannot start an evaluation thread: {e}"))?;
        Ok(slot)
    }
}

impl Inner {
    /// One evaluation thread: runs the jobs put in `slot` until the pool is dropped.
    fn serve(&self, slot: &Arc<Slot>) {
        loop {
            let (job, permit) = {
                let mut state = lock(&slot.state);
                loop {
                    if let Some(work) = state.job.take() {
                        break work;
                    }
                    if state.closed {
                        return;
                    }
                    state = slot
                        .wake
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            };
            // A panic is the job's failure (its caller is told), not the thread's.
            let _ = catch_unwind(AssertUnwindSafe(job));
            {
                let mut idle = lock(&self.idle);
                if idle.closed {
                    return;
                }
                idle.slots.push(Arc::clone(slot));
            }
            drop(permit);
        }
    }
}

impl Drop for Evaluators {
    fn drop(&mut self) {
        // Idle threads end now, busy ones once their job is done.
        let idle = {
            let mut idle = lock(&self.inner.idle);
            idle.closed = true;
            std::mem::take(&mut idle.slots)
        };
        for slot in idle {
            lock(&slot.state).closed = true;
            slot.wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::{Duration, Instant};

    use tokio::sync::Semaphore;

    use super::*;

    fn thread_name() -> String {
        format!("{:?}", std::thread::current().id())
    }

    #[tokio::test]
    async fn reviews_one_after_another_run_on_the_same_thread() {
        let pool = Evaluators::new();
        let permits = Arc::new(Semaphore::new(1));
        let mut threads = BTreeSet::new();
        for _ in 0..20 {
            let permit = Arc::clone(&permits).acquire_owned().await.unwrap();
            threads.insert(pool.run(permit, thread_name).await.unwrap());
        }
        assert_eq!(threads.len(), 1, "{threads:?}");
        assert!(!threads.contains(&thread_name()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_threads_than_evaluation_slots() {
        let pool = Arc::new(Evaluators::new());
        let permits = Arc::new(Semaphore::new(3));
        let mut tasks = Vec::new();
        for _ in 0..60 {
            let (pool, permits) = (Arc::clone(&pool), Arc::clone(&permits));
            tasks.push(tokio::spawn(async move {
                let permit = permits.acquire_owned().await.unwrap();
                pool.run(permit, thread_name).await.unwrap()
            }));
        }
        let mut threads = BTreeSet::new();
        for task in tasks {
            threads.insert(task.await.unwrap());
        }
        assert!((1..=3).contains(&threads.len()), "{threads:?}");
        // Every slot is free again.
        assert_eq!(permits.available_permits(), 3);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_its_thread_goes_on() {
        let pool = Evaluators::new();
        let permits = Arc::new(Semaphore::new(1));
        let permit = Arc::clone(&permits).acquire_owned().await.unwrap();
        let before = pool.run(permit, thread_name).await.unwrap();
        let permit = Arc::clone(&permits).acquire_owned().await.unwrap();
        let failed = pool
            .run(permit, || -> u32 { panic!("a bug in a rule's facts") })
            .await;
        assert_eq!(
            failed,
            Err("evaluation task failed: the evaluation panicked".to_string())
        );
        let permit = Arc::clone(&permits).acquire_owned().await.unwrap();
        assert_eq!(pool.run(permit, thread_name).await.unwrap(), before);
    }

    #[tokio::test]
    async fn dropping_the_pool_ends_its_threads() {
        let pool = Evaluators::new();
        let permits = Arc::new(Semaphore::new(2));
        let permit = Arc::clone(&permits).acquire_owned().await.unwrap();
        pool.run(permit, || ()).await.unwrap();
        let inner = Arc::downgrade(&pool.inner);
        drop(pool);
        // Each thread holds the pool's state until it ends.
        let start = Instant::now();
        while inner.upgrade().is_some() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the evaluation thread did not end"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
