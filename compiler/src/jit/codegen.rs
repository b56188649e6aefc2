//! Compiling filters to native code with cranelift — the only module of
//! idflow with `unsafe`: turning a finalized code pointer into a function,
//! and the two helpers that compiled code calls.
//!
//! A compiled filter is `extern "C" fn(*const Slot) -> u8`: 1 when the
//! event passes. Each expression yields a (tag, payload) pair, as slots
//! hold them; `and`, `or` and `??` branch, so what the interpreter does not
//! evaluate is not evaluated; a slot that fails to read, or a `not` of
//! something that is neither a boolean nor null, makes the filter fail
//! (return 0), as the interpreter's error does.
#![expect(
    unsafe_code,
    reason = "calling JIT-compiled code needs a transmute of its address; this module is the only place"
)]

use std::cmp::Ordering;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{AbiParam, Block, FuncRef, InstBuilder, MemFlagsData, Value, types};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, default_libcall_names};

use super::extract::{Slot, tag};
use super::slots::{SlotTable, path_of};
use crate::plan::eval;
use crate::plan::ir::{LocalId, PExpr};
use crate::plan::ops::{BinaryOp, UnaryOp};
use crate::plan::value::Value as PlanValue;

/// Why the JIT could not compile.
#[derive(Debug, thiserror::Error)]
#[error("the JIT could not compile a filter: {0}")]
pub struct JitError(String);

fn jit_error(e: impl std::fmt::Display) -> JitError {
    JitError(e.to_string())
}

/// A compiled filter.
#[derive(Clone, Copy)]
pub struct Compiled(extern "C" fn(*const Slot) -> u8);

impl Compiled {
    /// Runs the filter on an event's slots.
    pub fn call(self, slots: &[Slot]) -> bool {
        (self.0)(slots.as_ptr()) == 1
    }
}

/// The native code of every compiled filter of a plan; dropping it frees
/// the code.
pub struct Jit {
    module: Option<JITModule>,
}

// SAFETY: `Jit` has no method taking `&self`: the module is reached only
// by `Drop`, through `&mut self`, so sharing a `&Jit` between threads shares
// nothing. (`JITModule` is `Send`; it is not `Sync` because of its
// compile-time caches, which nothing here touches after `finalize`.)
unsafe impl Sync for Jit {}

impl Drop for Jit {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // The functions are no longer reachable: `Compiled` values are
            // only handed out with a borrow of this `Jit`'s owner.
            unsafe { module.free_memory() };
        }
    }
}

/// The helpers compiled code calls, by the name it imports them with.
const EQUAL: &str = "idflow_jit_equal";
const COMPARE: &str = "idflow_jit_compare";

/// Compiles filters, each over the event bound to its local, reading slots
/// of `table`. Returns the code and one function per filter, in order.
pub fn compile(
    filters: &[(&PExpr, LocalId)],
    table: &SlotTable,
) -> Result<(Jit, Vec<Compiled>), JitError> {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").map_err(jit_error)?;
    flags.set("is_pic", "false").map_err(jit_error)?;
    let isa = cranelift_native::builder()
        .map_err(jit_error)?
        .finish(settings::Flags::new(flags))
        .map_err(jit_error)?;
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    builder.symbol(EQUAL, helper_equal as *const u8);
    builder.symbol(COMPARE, helper_compare as *const u8);
    let mut module = JITModule::new(builder);
    let frontend = module.target_config();
    let pointer = frontend.pointer_type();

    let mut helper = module.make_signature();
    helper.params.extend([AbiParam::new(types::I64); 4]);
    helper.returns.push(AbiParam::new(types::I64));
    let equal = module
        .declare_function(EQUAL, Linkage::Import, &helper)
        .map_err(jit_error)?;
    let compare = module
        .declare_function(COMPARE, Linkage::Import, &helper)
        .map_err(jit_error)?;

    let mut ctx = module.make_context();
    let mut builder_ctx = FunctionBuilderContext::new();
    let mut ids: Vec<FuncId> = Vec::with_capacity(filters.len());
    for (i, (filter, event)) in filters.iter().enumerate() {
        ctx.func.signature.params.push(AbiParam::new(pointer));
        ctx.func.signature.returns.push(AbiParam::new(types::I8));
        let id = module
            .declare_function(&format!("filter_{i}"), Linkage::Local, &ctx.func.signature)
            .map_err(jit_error)?;
        {
            let mut b = FunctionBuilder::new(&mut ctx.func, &mut builder_ctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let slots = b
                .block_params(entry)
                .first()
                .copied()
                .ok_or_else(|| jit_error("no parameter"))?;
            let fail = b.create_block();
            let equal = module.declare_func_in_func(equal, b.func);
            let compare = module.declare_func_in_func(compare, b.func);
            let mut g = Gen {
                b,
                slots,
                fail,
                equal,
                compare,
                table,
                event: *event,
            };
            let result = g.condition(filter)?;
            let narrow = g.b.ins().ireduce(types::I8, result);
            g.b.ins().return_(&[narrow]);
            g.b.switch_to_block(fail);
            let zero = g.b.ins().iconst(types::I8, 0);
            g.b.ins().return_(&[zero]);
            g.b.seal_all_blocks();
            g.b.finalize(frontend);
        }
        module.define_function(id, &mut ctx).map_err(jit_error)?;
        module.clear_context(&mut ctx);
        ids.push(id);
    }
    module.finalize_definitions().map_err(jit_error)?;
    let compiled = ids
        .into_iter()
        .map(|id| {
            let code = module.get_finalized_function(id);
            // The code was generated above with exactly this signature
            // (a pointer in, an i8 out, the platform's C convention).
            Compiled(unsafe {
                std::mem::transmute::<*const u8, extern "C" fn(*const Slot) -> u8>(code)
            })
        })
        .collect();
    Ok((
        Jit {
            module: Some(module),
        },
        compiled,
    ))
}

/// The state of compiling one filter.
struct Gen<'a, 't> {
    b: FunctionBuilder<'a>,
    slots: Value,
    fail: Block,
    equal: FuncRef,
    compare: FuncRef,
    table: &'t SlotTable,
    event: LocalId,
}

impl Gen<'_, '_> {
    fn const_pair(&mut self, tag: u64, payload: u64) -> (Value, Value) {
        let t = self
            .b
            .ins()
            .iconst(types::I64, i64::from_ne_bytes(tag.to_ne_bytes()));
        let p = self
            .b
            .ins()
            .iconst(types::I64, i64::from_ne_bytes(payload.to_ne_bytes()));
        (t, p)
    }

    fn constant(&mut self, value: &PlanValue) -> Result<(Value, Value), JitError> {
        Ok(match value {
            PlanValue::Null => self.const_pair(tag::NULL, 0),
            PlanValue::Bool(b) => self.const_pair(tag::BOOL, u64::from(*b)),
            PlanValue::Int(i) => self.const_pair(tag::INT, u64::from_ne_bytes(i.to_ne_bytes())),
            PlanValue::Float(f) => self.const_pair(tag::FLOAT, f.to_bits()),
            PlanValue::String(s) => {
                let id = self.table.string_id(s);
                self.const_pair(tag::STR, u64::from(id))
            }
            other => return Err(jit_error(format!("a {} constant", other.kind()))),
        })
    }

    /// A slot's tag and payload; a slot that fails to read fails the filter.
    fn slot(&mut self, index: usize) -> Result<(Value, Value), JitError> {
        let offset = i32::try_from(index * std::mem::size_of::<Slot>()).map_err(jit_error)?;
        let flags = MemFlagsData::trusted();
        let t = self.b.ins().load(types::I64, flags, self.slots, offset);
        let p = self.b.ins().load(types::I64, flags, self.slots, offset + 8);
        let error = self.b.ins().icmp_imm_s(
            IntCC::Equal,
            t,
            i64::from_ne_bytes(tag::ERROR.to_ne_bytes()),
        );
        let ok = self.b.create_block();
        self.b.ins().brif(error, self.fail, &[], ok, &[]);
        self.b.switch_to_block(ok);
        Ok((t, p))
    }

    /// 1 when the expression is `true`, else 0, as an i64.
    fn condition(&mut self, expr: &PExpr) -> Result<Value, JitError> {
        let (t, p) = self.value(expr)?;
        Ok(self.is_true(t, p))
    }

    fn is_true(&mut self, t: Value, p: Value) -> Value {
        let is_bool =
            self.b
                .ins()
                .icmp_imm_s(IntCC::Equal, t, i64::from_ne_bytes(tag::BOOL.to_ne_bytes()));
        let is_one = self.b.ins().icmp_imm_s(IntCC::Equal, p, 1);
        let both = self.b.ins().band(is_bool, is_one);
        self.b.ins().uextend(types::I64, both)
    }

    fn boolean(&mut self, bit: Value) -> (Value, Value) {
        let t = self
            .b
            .ins()
            .iconst(types::I64, i64::from_ne_bytes(tag::BOOL.to_ne_bytes()));
        (t, bit)
    }

    fn value(&mut self, expr: &PExpr) -> Result<(Value, Value), JitError> {
        if let Some(path) = path_of(expr, self.event) {
            let index = self
                .table
                .find(&path)
                .ok_or_else(|| jit_error("a path without a slot"))?;
            return self.slot(index);
        }
        match expr {
            PExpr::Const { value } => self.constant(value),
            PExpr::Unary {
                op: UnaryOp::Not,
                operand,
            } => self.not(operand),
            PExpr::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs),
            other => Err(jit_error(format!("{other:?}"))),
        }
    }

    /// `not x`: a boolean negated, null kept, anything else fails.
    fn not(&mut self, operand: &PExpr) -> Result<(Value, Value), JitError> {
        let (t, p) = self.value(operand)?;
        let is_bool =
            self.b
                .ins()
                .icmp_imm_s(IntCC::Equal, t, i64::from_ne_bytes(tag::BOOL.to_ne_bytes()));
        let is_null =
            self.b
                .ins()
                .icmp_imm_s(IntCC::Equal, t, i64::from_ne_bytes(tag::NULL.to_ne_bytes()));
        let ok = self.b.ins().bor(is_bool, is_null);
        let next = self.b.create_block();
        self.b.ins().brif(ok, next, &[], self.fail, &[]);
        self.b.switch_to_block(next);
        let flipped = self.b.ins().bxor_imm_s(p, 1);
        let zero = self.b.ins().iconst(types::I64, 0);
        let payload = self.b.ins().select(is_bool, flipped, zero);
        Ok((t, payload))
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &PExpr,
        rhs: &PExpr,
    ) -> Result<(Value, Value), JitError> {
        match op {
            BinaryOp::And | BinaryOp::Or => self.logical(op == BinaryOp::And, lhs, rhs),
            BinaryOp::Coalesce => self.coalesce(lhs, rhs),
            BinaryOp::Eq | BinaryOp::Ne => {
                let equal = match (lhs, rhs) {
                    (other, PExpr::Const { value }) | (PExpr::Const { value }, other) => {
                        let other = self.value(other)?;
                        self.equals(other, value)?
                    }
                    _ => {
                        let (a, b) = (self.value(lhs)?, self.value(rhs)?);
                        self.call(self.equal, a, b)
                    }
                };
                let bit = if op == BinaryOp::Eq {
                    equal
                } else {
                    self.b.ins().bxor_imm_s(equal, 1)
                };
                Ok(self.boolean(bit))
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let (a, b) = (self.value(lhs)?, self.value(rhs)?);
                let order = self.call(self.compare, a, b);
                // 0 less, 1 equal, 2 greater, 3 unordered.
                let bit = match op {
                    BinaryOp::Lt => self.b.ins().icmp_imm_s(IntCC::Equal, order, 0),
                    BinaryOp::Le => {
                        self.b
                            .ins()
                            .icmp_imm_s(IntCC::UnsignedLessThanOrEqual, order, 1)
                    }
                    BinaryOp::Gt => self.b.ins().icmp_imm_s(IntCC::Equal, order, 2),
                    _ => {
                        let one = self.b.ins().icmp_imm_s(IntCC::Equal, order, 1);
                        let two = self.b.ins().icmp_imm_s(IntCC::Equal, order, 2);
                        self.b.ins().bor(one, two)
                    }
                };
                let bit = self.b.ins().uextend(types::I64, bit);
                Ok(self.boolean(bit))
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let element = self.value(lhs)?;
                let PExpr::Const {
                    value: PlanValue::List(items),
                } = rhs
                else {
                    return Err(jit_error("`in` a list that is not a constant"));
                };
                let mut found = self.b.ins().iconst(types::I64, 0);
                for item in items {
                    let equal = self.equals(element, item)?;
                    found = self.b.ins().bor(found, equal);
                }
                let bit = if op == BinaryOp::In {
                    found
                } else {
                    self.b.ins().bxor_imm_s(found, 1)
                };
                Ok(self.boolean(bit))
            }
            _ => Err(jit_error(format!("the operator `{}`", op.symbol()))),
        }
    }

    /// 1 when a value equals a constant: inline for strings, booleans and
    /// null (a tag and a payload to compare), through the helper for
    /// numbers, which compare across `Int` and `Float`.
    fn equals(&mut self, (t, p): (Value, Value), constant: &PlanValue) -> Result<Value, JitError> {
        let (tag, payload) = match constant {
            PlanValue::Int(_) | PlanValue::Float(_) => {
                let c = self.constant(constant)?;
                return Ok(self.call(self.equal, (t, p), c));
            }
            PlanValue::Null => {
                let is_null = self.b.ins().icmp_imm_s(
                    IntCC::Equal,
                    t,
                    i64::from_ne_bytes(tag::NULL.to_ne_bytes()),
                );
                return Ok(self.b.ins().uextend(types::I64, is_null));
            }
            PlanValue::Bool(b) => (tag::BOOL, u64::from(*b)),
            PlanValue::String(s) => (tag::STR, u64::from(self.table.string_id(s))),
            other => return Err(jit_error(format!("a {} constant", other.kind()))),
        };
        let same_tag =
            self.b
                .ins()
                .icmp_imm_s(IntCC::Equal, t, i64::from_ne_bytes(tag.to_ne_bytes()));
        let same_payload =
            self.b
                .ins()
                .icmp_imm_s(IntCC::Equal, p, i64::from_ne_bytes(payload.to_ne_bytes()));
        let both = self.b.ins().band(same_tag, same_payload);
        Ok(self.b.ins().uextend(types::I64, both))
    }

    fn call(&mut self, helper: FuncRef, a: (Value, Value), b: (Value, Value)) -> Value {
        let call = self.b.ins().call(helper, &[a.0, a.1, b.0, b.1]);
        self.b
            .inst_results(call)
            .first()
            .copied()
            .unwrap_or_else(|| unreachable!("the helpers return one value"))
    }

    /// `and` / `or`: the right side only when the left does not decide.
    fn logical(&mut self, and: bool, lhs: &PExpr, rhs: &PExpr) -> Result<(Value, Value), JitError> {
        let left = self.condition(lhs)?;
        let right_block = self.b.create_block();
        let merge = self.b.create_block();
        self.b.append_block_param(merge, types::I64);
        if and {
            let zero = self.b.ins().iconst(types::I64, 0);
            self.b
                .ins()
                .brif(left, right_block, &[], merge, &[zero.into()]);
        } else {
            let one = self.b.ins().iconst(types::I64, 1);
            self.b
                .ins()
                .brif(left, merge, &[one.into()], right_block, &[]);
        }
        self.b.switch_to_block(right_block);
        let right = self.condition(rhs)?;
        self.b.ins().jump(merge, &[right.into()]);
        self.b.switch_to_block(merge);
        let bit = self
            .b
            .block_params(merge)
            .first()
            .copied()
            .ok_or_else(|| jit_error("no merge value"))?;
        Ok(self.boolean(bit))
    }

    /// `a ?? b`: `b` only when `a` is null.
    fn coalesce(&mut self, lhs: &PExpr, rhs: &PExpr) -> Result<(Value, Value), JitError> {
        let (t, p) = self.value(lhs)?;
        let right_block = self.b.create_block();
        let merge = self.b.create_block();
        self.b.append_block_param(merge, types::I64);
        self.b.append_block_param(merge, types::I64);
        let is_null =
            self.b
                .ins()
                .icmp_imm_s(IntCC::Equal, t, i64::from_ne_bytes(tag::NULL.to_ne_bytes()));
        self.b
            .ins()
            .brif(is_null, right_block, &[], merge, &[t.into(), p.into()]);
        self.b.switch_to_block(right_block);
        let (rt, rp) = self.value(rhs)?;
        self.b.ins().jump(merge, &[rt.into(), rp.into()]);
        self.b.switch_to_block(merge);
        let params = self.b.block_params(merge);
        match (params.first(), params.get(1)) {
            (Some(t), Some(p)) => Ok((*t, *p)),
            _ => Err(jit_error("no merge values")),
        }
    }
}

/// A slot's scalar as the interpreter's value; strings by interned id,
/// which only constants are compared with (see `slots::compilable`).
fn scalar(tag: i64, payload: i64) -> Scalar {
    match u64::from_ne_bytes(tag.to_ne_bytes()) {
        tag::NULL => Scalar::Value(PlanValue::Null),
        tag::BOOL => Scalar::Value(PlanValue::Bool(payload == 1)),
        tag::INT => Scalar::Value(PlanValue::Int(payload)),
        tag::FLOAT => Scalar::Value(PlanValue::Float(f64::from_bits(u64::from_ne_bytes(
            payload.to_ne_bytes(),
        )))),
        tag::STR => Scalar::Str(payload),
        _ => Scalar::Other,
    }
}

enum Scalar {
    Value(PlanValue),
    Str(i64),
    Other,
}

/// `==` as the interpreter decides it.
extern "C" fn helper_equal(ta: i64, pa: i64, tb: i64, pb: i64) -> i64 {
    let equal = match (scalar(ta, pa), scalar(tb, pb)) {
        (Scalar::Value(a), Scalar::Value(b)) => eval::equal(&a, &b),
        (Scalar::Str(a), Scalar::Str(b)) => {
            a == b && u32::try_from(a).is_ok_and(|a| a != super::slots::UNKNOWN_STRING)
        }
        _ => false,
    };
    i64::from(equal)
}

/// Ordering as the interpreter decides it: 0 less, 1 equal, 2 greater, 3
/// when the two do not order (strings never reach here: see `compilable`).
extern "C" fn helper_compare(ta: i64, pa: i64, tb: i64, pb: i64) -> i64 {
    let order = match (scalar(ta, pa), scalar(tb, pb)) {
        (Scalar::Value(a), Scalar::Value(b)) => eval::compare(&a, &b),
        _ => None,
    };
    match order {
        Some(Ordering::Less) => 0,
        Some(Ordering::Equal) => 1,
        Some(Ordering::Greater) => 2,
        None => 3,
    }
}
