//! The threads that decode and evaluate reviews, off the async workers.
//!
//! At most one thread per evaluation slot (`--max-concurrent-evaluations`), started
//! when first needed. Reviews wait in one queue, first come first served; a thread
//! that finishes a review takes the next one without sleeping, so under load a
//! review costs no wake-up of an evaluation thread (a semaphore of slots in front of
//! the threads made each review wait for a permit given back by a thread that had
//! just gone to sleep, and then wake it again: about three futex calls per review).
//! A review that arrives when threads are asleep goes to the thread that became
//! idle last: its allocator pages, its VM and the rule programs are still in the
//! CPU's caches. tokio's blocking pool wakes the thread that has waited longest
//! instead, so a run of reviews went round every thread it had ever started, each
//! one cold (about 15% more CPU per review on the 2-core bench machine).

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

/// A queued job. It calls the function it is given once its result is ready and
/// before it hands it over, so that the thread is waiting for work again by the time
/// its caller can send more: the caller's next review finds it idle instead of
/// starting another thread.
type Job = Box<dyn FnOnce(&mut dyn FnMut()) + Send>;

/// What a caller is told when its job panicked.
const PANICKED: &str = "evaluation task failed: the evaluation panicked";

/// A pool of evaluation threads. Dropping it lets its threads end once the queue
/// is empty.
pub struct Evaluators {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Mutex<Pool>,
    /// Most threads, each one evaluation slot.
    slots: usize,
}

#[derive(Default)]
struct Pool {
    /// Jobs no thread has taken yet, oldest first.
    queue: VecDeque<Job>,
    /// Sleeping threads, the one idle last on top.
    idle: Vec<Arc<Slot>>,
    /// Threads started and not ended.
    threads: usize,
    /// Set when the pool is dropped: a thread that finds the queue empty then ends.
    closed: bool,
}

/// Where one sleeping thread is woken.
#[derive(Default)]
struct Slot {
    wake: Condvar,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Jobs run outside the lock and their panics are caught: a poisoned lock holds
    // consistent data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Evaluators {
    /// A pool of at most `slots` threads (at least one).
    pub fn new(slots: usize) -> Evaluators {
        Evaluators {
            inner: Arc::new(Inner {
                pool: Mutex::new(Pool::default()),
                slots: slots.max(1),
            }),
        }
    }

    /// Runs `job` on an evaluation thread and returns its result. The job waits in
    /// the queue until a thread is free; if the caller stops waiting before then
    /// (its deadline), the job is dropped without running. Once started, it runs to
    /// its end and keeps its thread until then.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |ready: &mut dyn FnMut()| {
            if tx.is_closed() {
                // Nobody waits for the answer any more.
                return;
            }
            // A panic is the job's failure (its caller is told), not the thread's.
            let result = catch_unwind(AssertUnwindSafe(job)).map_err(|_| PANICKED.to_string());
            ready();
            let _ = tx.send(result);
        });
        self.submit(job)?;
        rx.await
            .map_err(|_| "evaluation task failed: the evaluation did not run".to_string())?
    }

    /// Queues `job` and wakes or starts a thread for it if none is awake to take it.
    fn submit(&self, job: Job) -> Result<(), String> {
        let mut pool = lock(&self.inner.pool);
        pool.queue.push_back(job);
        if let Some(slot) = pool.idle.pop() {
            drop(pool);
            slot.wake.notify_one();
            return Ok(());
        }
        if pool.threads >= self.inner.slots {
            // Every thread is busy: the first to finish takes it.
            return Ok(());
        }
        let slot = Arc::new(Slot::default());
        let inner = Arc::clone(&self.inner);
        let started = std::thread::Builder::new()
            .name("blastwall-eval".into())
            .spawn(move || inner.serve(&slot));
        match started {
            Ok(_) => {
                pool.threads += 1;
                Ok(())
            }
            Err(e) if pool.threads == 0 => {
                // No thread would ever take it.
                pool.queue.pop_back();
                Err(format!("cannot start an evaluation thread: {e}"))
            }
            // The threads there are will take it.
            Err(_) => Ok(()),
        }
    }
}

impl Inner {
    /// One evaluation thread: runs queued jobs, sleeping while there are none,
    /// until the pool is dropped.
    fn serve(&self, me: &Arc<Slot>) {
        let mut next = None;
        loop {
            let job = match next.take() {
                Some(job) => job,
                None => match self.wait_for_job(me) {
                    Some(job) => job,
                    None => return,
                },
            };
            // Once the job's result is ready: take the next job, or else go on
            // the idle stack, before the result is handed over.
            job(&mut || {
                let mut pool = lock(&self.pool);
                match pool.queue.pop_front() {
                    Some(job) => next = Some(job),
                    None => pool.idle.push(Arc::clone(me)),
                }
            });
        }
    }

    /// The next queued job, sleeping on the idle stack until there is one; `None`
    /// once the pool is dropped and the queue is empty.
    fn wait_for_job(&self, me: &Arc<Slot>) -> Option<Job> {
        let mut pool = lock(&self.pool);
        loop {
            let listed = pool.idle.iter().position(|slot| Arc::ptr_eq(slot, me));
            if let Some(job) = pool.queue.pop_front() {
                if let Some(i) = listed {
                    pool.idle.remove(i);
                }
                return Some(job);
            }
            if pool.closed {
                if let Some(i) = listed {
                    pool.idle.remove(i);
                }
                pool.threads -= 1;
                return None;
            }
            if listed.is_none() {
                pool.idle.push(Arc::clone(me));
            }
            // Woken when a job is queued for it (or the pool closes); spurious
            // wake-ups just look again.
            pool = me.wake.wait(pool).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Drop for Evaluators {
    fn drop(&mut self) {
        // Sleeping threads end now, busy ones once the queue is empty.
        let idle = {
            let mut pool = lock(&self.inner.pool);
            pool.closed = true;
            std::mem::take(&mut pool.idle)
        };
        for slot in idle {
            slot.wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use futures::FutureExt;

    use super::*;

    fn thread_name() -> String {
        format!("{:?}", std::thread::current().id())
    }

    #[tokio::test]
    async fn reviews_one_after_another_run_on_the_same_thread() {
        let pool = Evaluators::new(4);
        let mut threads = BTreeSet::new();
        for _ in 0..20 {
            threads.insert(pool.run(thread_name).await.unwrap());
        }
        assert_eq!(threads.len(), 1, "{threads:?}");
        assert!(!threads.contains(&thread_name()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_threads_than_evaluation_slots() {
        let pool = Arc::new(Evaluators::new(3));
        let mut tasks = Vec::new();
        for _ in 0..60 {
            let pool = Arc::clone(&pool);
            tasks.push(tokio::spawn(
                async move { pool.run(thread_name).await.unwrap() },
            ));
        }
        let mut threads = BTreeSet::new();
        for task in tasks {
            threads.insert(task.await.unwrap());
        }
        assert!((1..=3).contains(&threads.len()), "{threads:?}");
        let pool = lock(&pool.inner.pool);
        assert!(pool.queue.is_empty());
        assert!((1..=3).contains(&pool.threads), "{}", pool.threads);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_its_thread_goes_on() {
        let pool = Evaluators::new(1);
        let before = pool.run(thread_name).await.unwrap();
        let failed = pool
            .run(|| -> u32 { panic!("a bug in a rule's facts") })
            .await;
        assert_eq!(failed, Err(PANICKED.to_string()));
        assert_eq!(pool.run(thread_name).await.unwrap(), before);
    }

    /// A review whose deadline passed while it waited for a thread is not
    /// evaluated: its slot goes to the next review.
    #[tokio::test]
    async fn a_job_nobody_waits_for_any_more_does_not_run() {
        let pool = Arc::new(Evaluators::new(1));
        // Holds the only thread until told to finish.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = oneshot::channel();
        let busy = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = started_tx.send(());
                    let _ = held.recv();
                })
                .await
            })
        };
        started.await.unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&ran);
        // Queued behind the busy job, then given up (polled once, dropped).
        assert!(pool
            .run(move || flag.store(true, Ordering::SeqCst))
            .now_or_never()
            .is_none());
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        // The queue is first come first served: this one runs after the given-up one.
        pool.run(|| ()).await.unwrap();
        assert!(!ran.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn dropping_the_pool_ends_its_threads() {
        let pool = Evaluators::new(2);
        pool.run(|| ()).await.unwrap();
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
