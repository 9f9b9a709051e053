//! Running a class's compiled program on regorus's VM: one VM per thread, reused
//! for every review, its program and data loaded again only when they change.
//! Every execution starts from a clean state (regorus resets its rule cache), so
//! nothing is carried from one review to the next.

use std::cell::RefCell;
use std::sync::Arc;

use regorus::rvm::program::Program;
use regorus::rvm::RegoVM;
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::Value;

use super::EngineError;

struct Loaded {
    vm: RegoVM,
    /// Held so that the pointer comparisons below cannot be fooled by reuse.
    program: Arc<Program>,
    data: Value,
    timer: Option<ExecutionTimerConfig>,
}

thread_local! {
    static VM: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

/// Runs `program`'s entry point against `input`, with `data` and an optional time
/// limit per execution.
pub(super) fn execute(
    program: &Arc<Program>,
    data: &Value,
    timer: Option<ExecutionTimerConfig>,
    input: Value,
) -> Result<Value, EngineError> {
    VM.with(|cell| {
        let mut slot = cell.borrow_mut();
        let current = slot.as_ref().is_some_and(|l| {
            Arc::ptr_eq(&l.program, program) && same_data(&l.data, data) && l.timer == timer
        });
        if !current {
            let mut vm = RegoVM::new();
            vm.load_program(program.clone());
            vm.set_data(data.clone())
                .map_err(|e| EngineError::Eval(e.to_string()))?;
            // As the interpreter is set up: a builtin's error makes that rule
            // silent instead of failing the evaluation.
            vm.set_strict_builtin_errors(false);
            // Bounded by time (the deadline), not by a count of instructions.
            vm.set_max_instructions(usize::MAX);
            vm.set_execution_timer_config(timer);
            *slot = Some(Loaded {
                vm,
                program: program.clone(),
                data: data.clone(),
                timer,
            });
        }
        let Some(loaded) = slot.as_mut() else {
            return Err(EngineError::Eval("no VM".into()));
        };
        loaded.vm.set_input(input);
        let result = loaded.vm.execute();
        // Drop the input now rather than with the next review.
        loaded.vm.set_input(Value::Null);
        result.map_err(|e| EngineError::Eval(e.to_string()))
    })
}

/// Whether two data documents are the same one (cheaply: they are shared values).
fn same_data(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y) || x == y,
        _ => a == b,
    }
}
