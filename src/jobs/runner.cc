#include "jobs/runner.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace broker::jobs {

using Steady = std::chrono::steady_clock;

struct Runner::Job {
  JobFn fn;
  std::chrono::seconds interval;
  Steady::time_point next_due;  // guarded by run_mutex_
  JobStatus status;             // guarded by mutex_
};

Runner::Runner(Leader& leader, const Clock& clock, RunnerOptions options)
    : leader_(leader), clock_(clock), options_(options) {}

Runner::~Runner() { Stop(); }

void Runner::Add(std::string name, std::chrono::seconds interval, JobFn fn, Scope scope) {
  if (started_ || interval.count() <= 0) throw std::logic_error("jobs::Runner::Add misuse");
  for (const auto& job : jobs_) {
    if (job->status.name == name) throw std::logic_error("duplicate job " + name);
  }
  auto job = std::make_unique<Job>();
  job->fn = std::move(fn);
  job->interval = interval;
  job->next_due = Steady::now();
  job->status.name = std::move(name);
  job->status.scope = scope;
  job->status.interval_seconds = interval.count();
  jobs_.push_back(std::move(job));
}

void Runner::Start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void Runner::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (leading_.exchange(false)) leader_.Release();
}

Status Runner::RunNow(const std::string& name) {
  for (auto& job : jobs_) {
    if (job->status.name != name) continue;
    std::lock_guard run(run_mutex_);
    return RunJob(*job);
  }
  return NotFound("no such job", "job " + name);
}

std::vector<JobStatus> Runner::Jobs() const {
  std::lock_guard lock(mutex_);
  std::vector<JobStatus> out;
  out.reserve(jobs_.size());
  for (const auto& job : jobs_) out.push_back(job->status);
  return out;
}

void Runner::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Tick();
    lock.lock();
    wake_.wait_for(lock, options_.tick, [this] { return stopping_; });
  }
}

void Runner::Tick() {
  const bool leads = leader_.TryLead();
  std::lock_guard run(run_mutex_);
  if (leads && !leading_.load()) {
    // A new term: the previous leader may have died just before its jobs were due, so run
    // every leader job now rather than waiting a whole interval.
    leader_terms_.fetch_add(1);
    for (auto& job : jobs_) {
      if (job->status.scope == Scope::kLeader) job->next_due = Steady::now();
    }
  }
  leading_.store(leads);
  for (auto& job : jobs_) {
    if (job->status.scope == Scope::kLeader && !leads) continue;
    if (Steady::now() < job->next_due) continue;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    (void)RunJob(*job);
  }
}

Status Runner::RunJob(Job& job) {
  const UnixMillis started_ms = clock_.NowMillis();
  const auto started = Steady::now();
  Status result = job.fn();
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - started);
  job.next_due = started + job.interval;
  if (!result.ok()) {
    spdlog::warn("job {} failed: {}", job.status.name, result.error().ToString());
  }
  std::lock_guard lock(mutex_);
  job.status.runs += 1;
  job.status.last_run_ms = started_ms;
  job.status.last_duration_ms = elapsed.count();
  if (result.ok()) {
    job.status.last_error.clear();
  } else {
    job.status.failures += 1;
    job.status.last_error = result.error().message();
  }
  return result;
}

}  // namespace broker::jobs
