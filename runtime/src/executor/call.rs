//! `call f(…)`, run inside the caller's run, and `spawn call f(…)`, kept
//! for whoever runs the caller.

use super::*;

impl<'e, 'a, C: Connectors> Run<'e, 'a, C> {
    /// Runs a called flow; its result (null when it ends without `return`).
    pub(super) async fn call(
        &mut self,
        step: StepId,
        name: &str,
        args: &[(String, PExpr)],
    ) -> Result<Value, Next> {
        if self.depth >= MAX_CALL_DEPTH {
            return Err(Next::Fail(format!(
                "flows call each other more than {MAX_CALL_DEPTH} deep"
            )));
        }
        let Some(called) = self.executor.plan.flows.iter().find(|f| f.name == name) else {
            return Err(Next::Fail(format!("the plan has no flow `{name}`")));
        };
        let mut values = Vec::with_capacity(args.len());
        for (param, expr) in args {
            values.push((param.clone(), self.eval(expr).map_err(Next::Fail)?));
        }
        let mut callee = Run::new(self.executor, self.journal, called, self.depth + 1);
        callee.event_id = self.event_id.clone();
        callee.path = format!("{}{step}:{}/", self.path, called.name);
        callee.env.now = self.env.now;
        for trigger in &called.triggers {
            if let Trigger::Called { params } = trigger {
                for (param, local) in params {
                    let value = values
                        .iter()
                        .find(|(p, _)| p == param)
                        .map_or(Value::Null, |(_, v)| v.clone());
                    callee.env.set(*local, value);
                }
            }
        }
        let next = callee.block(&called.body).await;
        self.trace.append(&mut callee.trace);
        self.spawned.append(&mut callee.spawned);
        match next {
            Next::Continue | Next::Stop(_) => Ok(Value::Null),
            Next::Return(value) => Ok(value),
            other => Err(other),
        }
    }

    /// `spawn call flow(args)`: the run to start, kept for whoever runs
    /// this one; the step itself does not wait.
    pub(super) fn spawn(
        &mut self,
        id: StepId,
        flow: &str,
        args: &[(String, PExpr)],
        started: Instant,
    ) -> Next {
        let what = format!("spawn {flow}");
        let mut values = BTreeMap::new();
        for (name, expr) in args {
            match self.eval(expr) {
                Ok(value) => {
                    values.insert(name.clone(), value);
                }
                Err(error) => return self.failed(id, what, error, started),
            }
        }
        let args = Value::Record(values);
        let key = self.step_key(id, &args);
        let input = self.executor.redactor.value(&args);
        let entry = self.record(id, what, StepStatus::Ok, started);
        entry.input = Some(input);
        entry.output = Some(serde_json::json!({ "spawned": key }));
        self.spawned.push(Spawned {
            flow: flow.to_owned(),
            args,
            key,
        });
        Next::Continue
    }
}
