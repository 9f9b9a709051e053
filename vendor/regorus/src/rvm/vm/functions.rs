// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.
use crate::builtins;
use crate::value::Value;

use super::errors::{Result, VmError};
use super::execution_model::ExecutionMode;
use super::machine::RegoVM;

impl RegoVM {
    pub(super) fn execute_function_call(&mut self, params_index: u16) -> Result<()> {
        let params = self
            .program
            .instruction_data
            .get_function_call_params(params_index)
            .cloned()
            .ok_or_else(||VmError::InvalidFunctionCallParamsIndex {
                index: params_index,
                pc: self.pc,
                available: self.program.instruction_data.function_call_params.len(),
            })?;
        let call_result = match self.execution_mode {
            ExecutionMode::RunToCompletion => {
                self.execute_call_rule_common(params.dest, params.func_rule_index, Some(&params))
            }
            ExecutionMode::Suspendable => self.execute_call_rule_suspendable(
                params.dest,
                params.func_rule_index,
                Some(&params),
            ),
        };

        call_result?;

        self.memory_check()?;
        Ok(())
    }

    /// Keeps `args` (emptied by the next call) for the next builtin call.
    ///
    /// blastwall patch: the vector it replaces is the empty one left by
    /// `mem::take` at the start of the call; one without capacity owns
    /// nothing and is let go of without a call to its drop glue (an
    /// assignment made one per builtin call). See vendor/README.md.
    #[inline]
    fn put_back_builtin_args(&mut self, args: alloc::vec::Vec<Value>) {
        let previous = core::mem::replace(&mut self.cached_builtin_args, args);
        if previous.capacity() == 0 && previous.is_empty() {
            core::mem::forget(previous);
        } else {
            drop(previous);
        }
    }

    // blastwall patch: a builtin call reads its parameters and the builtin
    // from the program without cloning the program's `Arc`, and passes the
    // cached dummy span and expressions by reference instead of cloning the
    // span (an atomic count update each way) and moving the vector out and
    // back (dropping an empty one each time). Same checks, same order, same
    // results. See vendor/README.md.
    pub(super) fn execute_builtin_call(&mut self, params_index: u16) -> Result<()> {
        let (params, expected_args, builtin_fn, cache_name) = {
            let program = &*self.program;
            let params = program
                .instruction_data
                .get_builtin_call_params(params_index)
                .ok_or_else(|| VmError::InvalidBuiltinCallParamsIndex {
                    index: params_index,
                    pc: self.pc,
                    available: program.instruction_data.builtin_call_params.len(),
                })?
                .clone();
            let builtin_info = program.get_builtin_info(params.builtin_index).ok_or_else(|| {
                VmError::InvalidBuiltinInfoIndex {
                    index: params.builtin_index,
                    pc: self.pc,
                    available: program.builtin_info_table.len(),
                }
            })?;
            let builtin_fn = program
                .get_resolved_builtin(params.builtin_index)
                .map(|fcn| fcn.0);
            (
                params,
                builtin_info.num_args,
                builtin_fn,
                builtins::must_cache(builtin_info.name.as_str()),
            )
        };

        let mut args = core::mem::take(&mut self.cached_builtin_args);
        args.clear();
        for &arg_reg in params.arg_registers().iter() {
            match self.get_register(arg_reg) {
                Ok(value) => args.push(value.clone()),
                Err(err) => {
                    self.put_back_builtin_args(args);
                    return Err(err);
                }
            }
        }

        let actual_args = args.len();
        if u16::try_from(actual_args).unwrap_or(u16::MAX) != expected_args {
            self.put_back_builtin_args(args);
            return Err(VmError::BuiltinArgumentMismatch {
                expected: expected_args,
                actual: actual_args,
                pc: self.pc,
            });
        }

        // blastwall patch: `Undefined` told by its tag, not by `Value::eq`.
        if args.iter().any(|a| matches!(a, Value::Undefined)) {
            self.put_back_builtin_args(args);
            self.set_register(params.dest, Value::Undefined)?;
            self.memory_check()?;
            return Ok(());
        }

        let Some(builtin_fn) = builtin_fn else {
            self.put_back_builtin_args(args);
            let name = self
                .program
                .get_builtin_info(params.builtin_index)
                .map(|info| info.name.clone())
                .unwrap_or_default();
            return Err(VmError::BuiltinNotResolved {
                name,
                pc: self.pc,
            });
        };

        if let Err(err) = self
            .ensure_dummy_exprs(args.len())
            .and_then(|()| self.get_dummy_span().map(|_| ()))
        {
            self.put_back_builtin_args(args);
            return Err(err);
        }

        if let Some(name) = cache_name {
            if let Some(entries) = self.builtins_cache.get(name) {
                for entry in entries {
                    if entry.0.as_slice() == args.as_slice() {
                        let cached = entry.1.clone();
                        self.put_back_builtin_args(args);
                        self.set_register(params.dest, cached)?;
                        self.memory_check()?;
                        return Ok(());
                    }
                }
            }
        }

        let outcome = match self.dummy_span.as_ref() {
            Some(dummy_span) => builtin_fn(
                dummy_span,
                self.dummy_exprs.get(..args.len()).unwrap_or(&[]),
                &args,
                self.strict_builtin_errors,
            ),
            None => {
                self.put_back_builtin_args(args);
                return Err(VmError::Internal {
                    message: alloc::string::String::from("dummy span not initialized"),
                    pc: self.pc,
                });
            }
        };
        let result = match outcome {
            Ok(value) => value,
            // Resource-limit errors must always propagate, even in non-strict
            // mode, to prevent `not builtin(...)` from silently flipping to true.
            Err(e) if !self.strict_builtin_errors => {
                if e.downcast_ref::<crate::LimitError>().is_some() {
                    self.put_back_builtin_args(args);
                    return Err(e.into());
                }
                Value::Undefined
            }
            Err(err) => {
                self.put_back_builtin_args(args);
                return Err(err.into());
            }
        };

        if let Some(name) = cache_name {
            // Move args into the cache. The now-empty (zero-capacity) Vec is
            // stored back in cached_builtin_args; the next call will re-allocate.
            // This is acceptable because cache inserts are rare (once per unique
            // argument set) while the hot path (cache hit above) reuses the Vec.
            let cache_args = core::mem::take(&mut args);
            self.put_back_builtin_args(args);
            self.builtins_cache
                .entry(name)
                .or_default()
                .push((cache_args, result.clone()));
            self.set_register(params.dest, result)?;
        } else {
            self.put_back_builtin_args(args);
            self.set_register(params.dest, result)?;
        }

        self.memory_check()?;

        Ok(())
    }
}
