// Only the pool's umbrella header, only imgpool::pool: it must compile and link on its own.
#include <imgpool/pool.hpp>

#include <cstdio>
#include <vector>

int main() {
  imgpool::pool::ThreadPoolExecutor executor({.max_workers = 2});
  std::vector<imgpool::pool::Future<int>> futures;
  for (int i = 0; i < 8; ++i) futures.push_back(executor.submit([](int x) { return x * x; }, i));
  int sum = 0;
  for (const auto& f : imgpool::pool::as_completed(futures)) sum += f.result();
  std::printf("pool_consumer: sum of squares %d\n", sum);
  return sum == 140 ? 0 : 1;
}
