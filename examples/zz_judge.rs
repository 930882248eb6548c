fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let cos = a.get(2).and_then(|c| c.parse().ok());
    let v = mem::curate::decide::judge(&a[1], &a[0], cos);
    println!("{:?}: {}", v.op, v.reason);
}
