package io.pgguard.spring.boot4.shop;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

/** A Spring Data repository: its derived queries pass, a bulk delete of every row is blocked. */
public interface CustomerRepository extends JpaRepository<Customer, Long> {

    @Modifying
    @Transactional
    @Query("DELETE FROM Customer")
    int deleteEveryone();
}
