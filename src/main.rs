fn main() {
    crumbtrail_app::mount();
}
